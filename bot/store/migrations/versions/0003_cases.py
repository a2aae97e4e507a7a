"""lawyers, cases and the audit log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from bot.store.models import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lawyers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("languages", sa.String(128), nullable=False, server_default=""),
        sa.Column("topics", sa.String(128), nullable=False, server_default=""),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", UTCDateTime),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.Integer, sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("ticket", sa.String(32), unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("topic", sa.String(32)),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("summary", sa.Text, nullable=False, server_default=""),
        sa.Column("lawyer_id", sa.Integer, sa.ForeignKey("lawyers.id", ondelete="SET NULL")),
        sa.Column("callback_phone", sa.String(32)),
        sa.Column("outcome", sa.String(32)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("assigned_at", UTCDateTime),
        sa.Column("first_reply_at", UTCDateTime),
        sa.Column("closed_at", UTCDateTime),
    )
    op.create_index("ix_cases_conversation_id", "cases", ["conversation_id"])
    op.create_index("ix_cases_status", "cases", ["status"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("lawyer_id", sa.Integer, sa.ForeignKey("lawyers.id", ondelete="SET NULL")),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="SET NULL")),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.String(255), nullable=False, server_default=""),
    )
    op.create_index("ix_audit_log_case_id", "audit_log", ["case_id"])
    with op.batch_alter_table("messages") as table:
        table.add_column(
            sa.Column(
                "lawyer_id",
                sa.Integer,
                sa.ForeignKey("lawyers.id", ondelete="SET NULL", name="fk_messages_lawyer_id"),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("messages") as table:
        table.drop_column("lawyer_id")
    op.drop_table("audit_log")
    op.drop_table("cases")
    op.drop_table("lawyers")
