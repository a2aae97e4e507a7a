"""where the migrant is (country and region), asked once, and what the bot is waiting for

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as table:
        table.add_column(sa.Column("country", sa.String(2), nullable=True))
        table.add_column(sa.Column("region", sa.String(64), nullable=True))
        table.add_column(sa.Column("country_asked", sa.Boolean(), nullable=False, server_default=sa.false()))
        table.add_column(sa.Column("pending", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversations") as table:
        for column in ("pending", "country_asked", "region", "country"):
            table.drop_column(column)
