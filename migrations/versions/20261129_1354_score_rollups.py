"""Score rollups: running sums behind /v1/scores, kept in step with every write.

The table starts empty; `policy-ledger migrate` fills it when predictions already exist.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 13:54:38.805463
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('score_rollup',
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('choice', sa.String(length=16), nullable=False),
    sa.Column('group_key', sa.Integer(), nullable=False),
    sa.Column('cell', sa.String(length=16), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('f', sa.Float(), nullable=False),
    sa.Column('ff', sa.Float(), nullable=False),
    sa.Column('o', sa.Float(), nullable=False),
    sa.Column('oo', sa.Float(), nullable=False),
    sa.Column('fo', sa.Float(), nullable=False),
    sa.Column('log', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('dimension', 'choice', 'group_key', 'cell', name=op.f('pk_score_rollup'))
    )


def downgrade() -> None:
    op.drop_table('score_rollup')
