"""the intent a case is about, as a column: the console reads it instead of parsing the summary

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as table:
        table.add_column(sa.Column("intent", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as table:
        table.drop_column("intent")
