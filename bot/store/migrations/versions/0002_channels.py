"""channel delivery: external ids, delivery status, media, last inbound time

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from bot.store.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as table:
        table.add_column(sa.Column("last_inbound_at", UTCDateTime))
    with op.batch_alter_table("messages") as table:
        table.add_column(sa.Column("external_id", sa.String(128)))
        table.add_column(sa.Column("status", sa.String(16)))
        table.add_column(sa.Column("error", sa.String(255)))
        table.add_column(sa.Column("media_type", sa.String(32)))
        table.add_column(sa.Column("media_ref", sa.String(512)))
        table.create_unique_constraint("uq_message_external_id", ["channel", "direction", "external_id"])
    op.create_index("ix_messages_unanswered", "messages", ["direction", "answered"])


def downgrade() -> None:
    op.drop_index("ix_messages_unanswered", "messages")
    with op.batch_alter_table("messages") as table:
        table.drop_constraint("uq_message_external_id", type_="unique")
        for column in ("media_ref", "media_type", "error", "status", "external_id"):
            table.drop_column(column)
    with op.batch_alter_table("conversations") as table:
        table.drop_column("last_inbound_at")
