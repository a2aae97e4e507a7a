"""partner organisations as teams (on users and cases), and referrals to partner services with their follow-up

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from bot.store.models import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lawyers") as table:
        table.add_column(sa.Column("organization", sa.String(64), nullable=True))
    with op.batch_alter_table("cases") as table:
        table.add_column(sa.Column("organization", sa.String(64), nullable=True))
    op.create_index("ix_cases_organization", "cases", ["organization"])
    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("service_name", sa.String(255), nullable=False),
        sa.Column("partner", sa.String(255), nullable=False, server_default=""),
        sa.Column("lawyer_id", sa.Integer, sa.ForeignKey("lawyers.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("follow_up_at", UTCDateTime, nullable=False, index=True),
        sa.Column("followed_up_at", UTCDateTime, nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("outcome_at", UTCDateTime, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("referrals")
    op.drop_index("ix_cases_organization", "cases")
    with op.batch_alter_table("cases") as table:
        table.drop_column("organization")
    with op.batch_alter_table("lawyers") as table:
        table.drop_column("organization")
