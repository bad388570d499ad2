"""Each record keeps its link ids on its own row (actor_ids, topic_ids, ...).

Reads take them from the row instead of one subquery per link; the link tables stay,
for filters and integrity, and every write keeps the two equal. The new columns are
filled from the link tables here.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, link table, the link's own column, its other column, its order)
LINKS = (
    ("report", "author_ids", "report_author", "report_id", "analyst_id",
     "position, analyst_id"),
    ("report", "document_ids", "report_document", "report_id", "document_id", "document_id"),
    ("event", "actor_ids", "event_actor", "event_id", "actor_id", "actor_id"),
    ("event", "topic_ids", "event_topic", "event_id", "topic_id", "topic_id"),
    ("prediction", "actor_ids", "prediction_actor", "prediction_id", "actor_id", "actor_id"),
    ("prediction", "topic_ids", "prediction_topic", "prediction_id", "topic_id", "topic_id"),
    ("prediction", "event_ids", "prediction_event", "prediction_id", "event_id", "event_id"),
    ("recommendation", "actor_ids", "recommendation_actor", "recommendation_id", "actor_id",
     "actor_id"),
    ("recommendation", "topic_ids", "recommendation_topic", "recommendation_id", "topic_id",
     "topic_id"),
)

IDS = sa.Text().with_variant(postgresql.JSONB(), "postgresql")


def _fill(table: str, column: str, link: str, own: str, other: str, order: str) -> None:
    """The column from the link table: a compact JSON array of ids in the link's order."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"UPDATE {table} SET {column} = linked.ids FROM (SELECT {own} AS key, "
            f"jsonb_agg({other} ORDER BY {order}) AS ids FROM {link} GROUP BY {own}) AS linked "
            f"WHERE {table}.id = linked.key"
        )
        return
    op.execute(
        f"UPDATE {table} SET {column} = (SELECT json_group_array(x) FROM (SELECT {other} AS x "
        f"FROM {link} WHERE {own} = {table}.id ORDER BY {order})) "
        f"WHERE id IN (SELECT {own} FROM {link})"
    )


def upgrade() -> None:
    for table, column, *_ in LINKS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, IDS, server_default='[]', nullable=False))
    for table, column, link, own, other, order in LINKS:
        _fill(table, column, link, own, other, order)


def downgrade() -> None:
    for table, column, *_ in reversed(LINKS):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
