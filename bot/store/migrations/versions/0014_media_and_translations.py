"""media fetched from the platforms (or uploaded in the web chat), machine translations cached per
message, the languages each console user reads, and the lawyer's own words behind a translated reply

Media live in the database, not on one worker's disk: every worker serves them, and erasing a
conversation's messages erases its media with them (ON DELETE CASCADE).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "message_id", sa.Integer, sa.ForeignKey("messages.id", ondelete="CASCADE"), nullable=False, unique=True
        ),
        sa.Column("status", sa.String(16), nullable=False),  # stored, too_large, failed
        sa.Column("content_type", sa.String(128), nullable=True),
        sa.Column("size", sa.Integer, nullable=True),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("data", sa.LargeBinary, nullable=True),
        sa.Column("error", sa.String(255), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "translations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("message_id", sa.Integer, sa.ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("message_id", "language", name="uq_translation_message_language"),
    )
    with op.batch_alter_table("lawyers") as table:
        table.add_column(sa.Column("reads", sa.String(128), nullable=False, server_default=""))
    with op.batch_alter_table("messages") as table:
        table.add_column(sa.Column("written_as", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as table:
        table.drop_column("written_as")
    with op.batch_alter_table("lawyers") as table:
        table.drop_column("reads")
    op.drop_table("translations")
    op.drop_table("media")
