"""editors' triage of unanswered messages

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as table:
        table.add_column(sa.Column("triage", sa.String(16)))


def downgrade() -> None:
    with op.batch_alter_table("messages") as table:
        table.drop_column("triage")
