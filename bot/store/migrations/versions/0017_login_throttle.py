"""login throttling per address, user name and both, instead of a lock-out per account

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from bot.store.models import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(320), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_failure_at", UTCDateTime, nullable=False),
        sa.Column("blocked_until", UTCDateTime),
    )
    with op.batch_alter_table("lawyers") as table:
        table.drop_column("failed_logins")
        table.drop_column("locked_until")


def downgrade() -> None:
    with op.batch_alter_table("lawyers") as table:
        table.add_column(sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"))
        table.add_column(sa.Column("locked_until", UTCDateTime))
    op.drop_table("login_throttle")
