"""Outcomes: resolutions, condition checks, forecasts and recommendation status changes.

The three logs are append-only: triggers refuse UPDATE and DELETE on both engines.
Existing predictions get their author's first forecast from the stated or implied
probability.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 13:43:02.924992
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("resolution", "condition_check", "recommendation_status_change")


def _create_append_only_triggers(table: str) -> None:
    """Refuse UPDATE and DELETE in the database itself."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN RAISE EXCEPTION '{table} is append-only'; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table}"
            f" BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )


def _drop_append_only_triggers(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
        return
    for action in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")


def upgrade() -> None:
    op.create_table('condition_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=True),
    sa.Column('note', sa.String(length=4000), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('prediction_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['prediction_id'], ['prediction.id'], name=op.f('fk_condition_check_prediction_id_prediction'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_condition_check'))
    )
    with op.batch_alter_table('condition_check', schema=None) as batch_op:
        batch_op.create_index('ix_condition_check_prediction_id_id', ['prediction_id', 'id'], unique=False)

    op.create_table('forecast',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prediction_id', sa.Integer(), nullable=False),
    sa.Column('forecaster_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('probability', sa.Float(), nullable=False),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_to', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rationale', sa.String(length=4000), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['forecaster_id'], ['analyst.id'], name=op.f('fk_forecast_forecaster_id_analyst'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['prediction_id'], ['prediction.id'], name=op.f('fk_forecast_prediction_id_prediction'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forecast'))
    )
    with op.batch_alter_table('forecast', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forecast_forecaster_id'), ['forecaster_id'], unique=False)
        batch_op.create_index('ix_forecast_prediction_id_forecaster_id_made_at', ['prediction_id', 'forecaster_id', 'made_at'], unique=False)

    op.create_table('recommendation_status_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=True),
    sa.Column('note', sa.String(length=4000), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendation.id'], name=op.f('fk_recommendation_status_change_recommendation_id_recommendation'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation_status_change'))
    )
    with op.batch_alter_table('recommendation_status_change', schema=None) as batch_op:
        batch_op.create_index('ix_recommendation_status_change_recommendation_id_id', ['recommendation_id', 'id'], unique=False)

    op.create_table('resolution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=True),
    sa.Column('note', sa.String(length=4000), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('prediction_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('outcome_known_on', sa.Date(), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['prediction_id'], ['prediction.id'], name=op.f('fk_resolution_prediction_id_prediction'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['resolution.id'], name=op.f('fk_resolution_supersedes_id_resolution'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resolution'))
    )
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.create_index('ix_resolution_prediction_id_id', ['prediction_id', 'id'], unique=False)

    with op.batch_alter_table('prediction', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome_known_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('resolution_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('community_probability', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('time_averaged_probability', sa.Float(), nullable=True))

    for table in APPEND_ONLY:
        _create_append_only_triggers(table)
    op.execute(
        "INSERT INTO forecast (prediction_id, forecaster_id, kind, probability, made_at,"
        " recorded_at) SELECT id, analyst_id, 'initial',"
        " COALESCE(probability, implied_probability), created_at, created_at FROM prediction"
        " WHERE COALESCE(probability, implied_probability) IS NOT NULL"
    )
    op.execute(
        "UPDATE prediction SET community_probability = COALESCE(probability, implied_probability),"
        " time_averaged_probability = COALESCE(probability, implied_probability)"
    )


def downgrade() -> None:
    for table in APPEND_ONLY:
        _drop_append_only_triggers(table)
    with op.batch_alter_table('prediction', schema=None) as batch_op:
        batch_op.drop_column('time_averaged_probability')
        batch_op.drop_column('community_probability')
        batch_op.drop_column('resolution_id')
        batch_op.drop_column('outcome_known_on')

    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.drop_index('ix_resolution_prediction_id_id')

    op.drop_table('resolution')
    with op.batch_alter_table('recommendation_status_change', schema=None) as batch_op:
        batch_op.drop_index('ix_recommendation_status_change_recommendation_id_id')

    op.drop_table('recommendation_status_change')
    with op.batch_alter_table('forecast', schema=None) as batch_op:
        batch_op.drop_index('ix_forecast_prediction_id_forecaster_id_made_at')
        batch_op.drop_index(batch_op.f('ix_forecast_forecaster_id'))

    op.drop_table('forecast')
    with op.batch_alter_table('condition_check', schema=None) as batch_op:
        batch_op.drop_index('ix_condition_check_prediction_id_id')

    op.drop_table('condition_check')
