"""Annotations (with tags) and the full-text index; quote anchoring status.

The index is an FTS5 table on SQLite and a table with a weighted tsvector and a GIN
index on PostgreSQL; `policy-ledger migrate` fills it when records already exist.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 14:06:10.325033
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _create_search_index() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE search_document (key bigint PRIMARY KEY, doc_type varchar(16) NOT NULL,"
            " record_id integer NOT NULL, title text NOT NULL, body text NOT NULL,"
            " tsv tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('english', title), 'A') || "
            "setweight(to_tsvector('english', body), 'B')) STORED)"
        )
        op.execute("CREATE INDEX ix_search_document_tsv ON search_document USING gin (tsv)")
        return
    op.execute(
        "CREATE VIRTUAL TABLE search_document USING fts5(doc_type UNINDEXED,"
        " record_id UNINDEXED, title, body, tokenize = 'porter unicode61 remove_diacritics 2')"
    )


def upgrade() -> None:
    op.create_table('annotation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('reply_to_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_format', sa.String(length=16), nullable=False),
    sa.Column('motivation', sa.String(length=16), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('selector_exact', sa.Text(), nullable=True),
    sa.Column('selector_prefix', sa.String(length=200), nullable=True),
    sa.Column('selector_suffix', sa.String(length=200), nullable=True),
    sa.Column('selector_start', sa.Integer(), nullable=True),
    sa.Column('selector_end', sa.Integer(), nullable=True),
    sa.Column('anchor_status', sa.String(length=16), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['reply_to_id'], ['annotation.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('annotation', schema=None) as batch_op:
        batch_op.create_index('ix_annotation_author_id', ['author', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_annotation_reply_to_id'), ['reply_to_id'], unique=False)
        batch_op.create_index('ix_annotation_target_type_target_id_id', ['target_type', 'target_id', 'id'], unique=False)

    op.create_table('annotation_tag',
    sa.Column('annotation_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['annotation_id'], ['annotation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('annotation_id', 'tag')
    )
    with op.batch_alter_table('annotation_tag', schema=None) as batch_op:
        batch_op.create_index('ix_annotation_tag_tag_annotation_id', ['tag', 'annotation_id'], unique=False)

    with op.batch_alter_table('prediction', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quote_status', sa.String(length=16), nullable=True))

    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quote_status', sa.String(length=16), nullable=True))

    for table in ("prediction", "recommendation"):
        op.execute(f"UPDATE {table} SET quote_status = 'anchored' WHERE quote_document_id IS NOT NULL")
    _create_search_index()



def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_document")
    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.drop_column('quote_status')

    with op.batch_alter_table('prediction', schema=None) as batch_op:
        batch_op.drop_column('quote_status')

    with op.batch_alter_table('annotation_tag', schema=None) as batch_op:
        batch_op.drop_index('ix_annotation_tag_tag_annotation_id')

    op.drop_table('annotation_tag')
    with op.batch_alter_table('annotation', schema=None) as batch_op:
        batch_op.drop_index('ix_annotation_target_type_target_id_id')
        batch_op.drop_index(batch_op.f('ix_annotation_reply_to_id'))
        batch_op.drop_index('ix_annotation_author_id')

    op.drop_table('annotation')
