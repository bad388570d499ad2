"""Initial schema: the records, their links and indexes.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-29 13:18:05.364134
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('actor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actor')),
    sa.UniqueConstraint('slug', name=op.f('uq_actor_slug'))
    )
    op.create_table('event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('description', sa.String(length=4000), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('date_precision', sa.String(length=8), nullable=False),
    sa.Column('date_wording', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event')),
    sa.UniqueConstraint('slug', name=op.f('uq_event_slug'))
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_starts_on'), ['starts_on'], unique=False)

    op.create_table('organization',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization')),
    sa.UniqueConstraint('slug', name=op.f('uq_organization_slug'))
    )
    op.create_table('topic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=4000), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topic')),
    sa.UniqueConstraint('slug', name=op.f('uq_topic_slug'))
    )
    op.create_table('analyst',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_analyst_organization_id_organization'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analyst')),
    sa.UniqueConstraint('slug', name=op.f('uq_analyst_slug'))
    )
    with op.batch_alter_table('analyst', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analyst_organization_id'), ['organization_id'], unique=False)

    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('outlet_id', sa.Integer(), nullable=True),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('published_precision', sa.String(length=8), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['outlet_id'], ['organization.id'], name=op.f('fk_document_outlet_id_organization'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document')),
    sa.UniqueConstraint('slug', name=op.f('uq_document_slug'))
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_outlet_id'), ['outlet_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_sha256'), ['sha256'], unique=False)

    op.create_table('event_actor',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actor.id'], name=op.f('fk_event_actor_actor_id_actor'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_actor_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'actor_id', name=op.f('pk_event_actor'))
    )
    with op.batch_alter_table('event_actor', schema=None) as batch_op:
        batch_op.create_index('ix_event_actor_actor_id_event_id', ['actor_id', 'event_id'], unique=False)

    op.create_table('event_topic',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_topic_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_event_topic_topic_id_topic'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('event_id', 'topic_id', name=op.f('pk_event_topic'))
    )
    with op.batch_alter_table('event_topic', schema=None) as batch_op:
        batch_op.create_index('ix_event_topic_topic_id_event_id', ['topic_id', 'event_id'], unique=False)

    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('publisher_id', sa.Integer(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('published_precision', sa.String(length=8), nullable=False),
    sa.Column('published_wording', sa.String(length=200), nullable=True),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['publisher_id'], ['organization.id'], name=op.f('fk_report_publisher_id_organization'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report')),
    sa.UniqueConstraint('slug', name=op.f('uq_report_slug'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_published_on'), ['published_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_publisher_id'), ['publisher_id'], unique=False)

    op.create_table('prediction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('quote_document_id', sa.Integer(), nullable=True),
    sa.Column('quote_exact', sa.Text(), nullable=True),
    sa.Column('quote_start', sa.Integer(), nullable=True),
    sa.Column('quote_end', sa.Integer(), nullable=True),
    sa.Column('quote_prefix', sa.String(length=200), nullable=True),
    sa.Column('quote_suffix', sa.String(length=200), nullable=True),
    sa.Column('cue', sa.String(length=200), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('analyst_id', sa.Integer(), nullable=False),
    sa.Column('probability', sa.Float(), nullable=True),
    sa.Column('implied_probability', sa.Float(), nullable=True),
    sa.Column('estimative_term', sa.String(length=40), nullable=True),
    sa.Column('condition', sa.Text(), nullable=True),
    sa.Column('condition_status', sa.String(length=16), nullable=True),
    sa.Column('resolve_by', sa.Date(), nullable=True),
    sa.Column('resolution_criteria', sa.Text(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['analyst_id'], ['analyst.id'], name=op.f('fk_prediction_analyst_id_analyst'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['quote_document_id'], ['document.id'], name=op.f('fk_prediction_quote_document_id_document'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_prediction_report_id_report'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prediction')),
    sa.UniqueConstraint('slug', name=op.f('uq_prediction_slug'))
    )
    with op.batch_alter_table('prediction', schema=None) as batch_op:
        batch_op.create_index('ix_prediction_analyst_id_id', ['analyst_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_prediction_quote_document_id'), ['quote_document_id'], unique=False)
        batch_op.create_index('ix_prediction_report_id_id', ['report_id', 'id'], unique=False)
        batch_op.create_index('ix_prediction_resolve_by_id', ['resolve_by', 'id'], unique=False)

    op.create_table('recommendation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('quote_document_id', sa.Integer(), nullable=True),
    sa.Column('quote_exact', sa.Text(), nullable=True),
    sa.Column('quote_start', sa.Integer(), nullable=True),
    sa.Column('quote_end', sa.Integer(), nullable=True),
    sa.Column('quote_prefix', sa.String(length=200), nullable=True),
    sa.Column('quote_suffix', sa.String(length=200), nullable=True),
    sa.Column('cue', sa.String(length=200), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('analyst_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('addressee_id', sa.Integer(), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('issued_precision', sa.String(length=8), nullable=False),
    sa.Column('issued_wording', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['addressee_id'], ['actor.id'], name=op.f('fk_recommendation_addressee_id_actor'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['analyst_id'], ['analyst.id'], name=op.f('fk_recommendation_analyst_id_analyst'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_recommendation_organization_id_organization'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['quote_document_id'], ['document.id'], name=op.f('fk_recommendation_quote_document_id_document'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_recommendation_report_id_report'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation')),
    sa.UniqueConstraint('slug', name=op.f('uq_recommendation_slug'))
    )
    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.create_index('ix_recommendation_addressee_id_id', ['addressee_id', 'id'], unique=False)
        batch_op.create_index('ix_recommendation_analyst_id_id', ['analyst_id', 'id'], unique=False)
        batch_op.create_index('ix_recommendation_organization_id_id', ['organization_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recommendation_quote_document_id'), ['quote_document_id'], unique=False)
        batch_op.create_index('ix_recommendation_report_id_id', ['report_id', 'id'], unique=False)
        batch_op.create_index('ix_recommendation_status_id', ['status', 'id'], unique=False)

    op.create_table('report_author',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('analyst_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['analyst_id'], ['analyst.id'], name=op.f('fk_report_author_analyst_id_analyst'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_author_report_id_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'analyst_id', name=op.f('pk_report_author'))
    )
    with op.batch_alter_table('report_author', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_author_analyst_id'), ['analyst_id'], unique=False)

    op.create_table('report_document',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_report_document_document_id_document'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_document_report_id_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'document_id', name=op.f('pk_report_document'))
    )
    with op.batch_alter_table('report_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_document_document_id'), ['document_id'], unique=False)

    op.create_table('prediction_actor',
    sa.Column('prediction_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actor.id'], name=op.f('fk_prediction_actor_actor_id_actor'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['prediction_id'], ['prediction.id'], name=op.f('fk_prediction_actor_prediction_id_prediction'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('prediction_id', 'actor_id', name=op.f('pk_prediction_actor'))
    )
    with op.batch_alter_table('prediction_actor', schema=None) as batch_op:
        batch_op.create_index('ix_prediction_actor_actor_id_prediction_id', ['actor_id', 'prediction_id'], unique=False)

    op.create_table('prediction_event',
    sa.Column('prediction_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_prediction_event_event_id_event'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['prediction_id'], ['prediction.id'], name=op.f('fk_prediction_event_prediction_id_prediction'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('prediction_id', 'event_id', name=op.f('pk_prediction_event'))
    )
    with op.batch_alter_table('prediction_event', schema=None) as batch_op:
        batch_op.create_index('ix_prediction_event_event_id_prediction_id', ['event_id', 'prediction_id'], unique=False)

    op.create_table('prediction_topic',
    sa.Column('prediction_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['prediction_id'], ['prediction.id'], name=op.f('fk_prediction_topic_prediction_id_prediction'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_prediction_topic_topic_id_topic'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('prediction_id', 'topic_id', name=op.f('pk_prediction_topic'))
    )
    with op.batch_alter_table('prediction_topic', schema=None) as batch_op:
        batch_op.create_index('ix_prediction_topic_topic_id_prediction_id', ['topic_id', 'prediction_id'], unique=False)

    op.create_table('recommendation_actor',
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actor.id'], name=op.f('fk_recommendation_actor_actor_id_actor'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendation.id'], name=op.f('fk_recommendation_actor_recommendation_id_recommendation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('recommendation_id', 'actor_id', name=op.f('pk_recommendation_actor'))
    )
    with op.batch_alter_table('recommendation_actor', schema=None) as batch_op:
        batch_op.create_index('ix_recommendation_actor_actor_id_recommendation_id', ['actor_id', 'recommendation_id'], unique=False)

    op.create_table('recommendation_topic',
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendation.id'], name=op.f('fk_recommendation_topic_recommendation_id_recommendation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_recommendation_topic_topic_id_topic'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('recommendation_id', 'topic_id', name=op.f('pk_recommendation_topic'))
    )
    with op.batch_alter_table('recommendation_topic', schema=None) as batch_op:
        batch_op.create_index('ix_recommendation_topic_topic_id_recommendation_id', ['topic_id', 'recommendation_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('recommendation_topic', schema=None) as batch_op:
        batch_op.drop_index('ix_recommendation_topic_topic_id_recommendation_id')

    op.drop_table('recommendation_topic')
    with op.batch_alter_table('recommendation_actor', schema=None) as batch_op:
        batch_op.drop_index('ix_recommendation_actor_actor_id_recommendation_id')

    op.drop_table('recommendation_actor')
    with op.batch_alter_table('prediction_topic', schema=None) as batch_op:
        batch_op.drop_index('ix_prediction_topic_topic_id_prediction_id')

    op.drop_table('prediction_topic')
    with op.batch_alter_table('prediction_event', schema=None) as batch_op:
        batch_op.drop_index('ix_prediction_event_event_id_prediction_id')

    op.drop_table('prediction_event')
    with op.batch_alter_table('prediction_actor', schema=None) as batch_op:
        batch_op.drop_index('ix_prediction_actor_actor_id_prediction_id')

    op.drop_table('prediction_actor')
    with op.batch_alter_table('report_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_document_document_id'))

    op.drop_table('report_document')
    with op.batch_alter_table('report_author', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_author_analyst_id'))

    op.drop_table('report_author')
    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.drop_index('ix_recommendation_status_id')
        batch_op.drop_index('ix_recommendation_report_id_id')
        batch_op.drop_index(batch_op.f('ix_recommendation_quote_document_id'))
        batch_op.drop_index('ix_recommendation_organization_id_id')
        batch_op.drop_index('ix_recommendation_analyst_id_id')
        batch_op.drop_index('ix_recommendation_addressee_id_id')

    op.drop_table('recommendation')
    with op.batch_alter_table('prediction', schema=None) as batch_op:
        batch_op.drop_index('ix_prediction_resolve_by_id')
        batch_op.drop_index('ix_prediction_report_id_id')
        batch_op.drop_index(batch_op.f('ix_prediction_quote_document_id'))
        batch_op.drop_index('ix_prediction_analyst_id_id')

    op.drop_table('prediction')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_publisher_id'))
        batch_op.drop_index(batch_op.f('ix_report_published_on'))

    op.drop_table('report')
    with op.batch_alter_table('event_topic', schema=None) as batch_op:
        batch_op.drop_index('ix_event_topic_topic_id_event_id')

    op.drop_table('event_topic')
    with op.batch_alter_table('event_actor', schema=None) as batch_op:
        batch_op.drop_index('ix_event_actor_actor_id_event_id')

    op.drop_table('event_actor')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_sha256'))
        batch_op.drop_index(batch_op.f('ix_document_outlet_id'))

    op.drop_table('document')
    with op.batch_alter_table('analyst', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analyst_organization_id'))

    op.drop_table('analyst')
    op.drop_table('topic')
    op.drop_table('organization')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_starts_on'))

    op.drop_table('event')
    op.drop_table('actor')
