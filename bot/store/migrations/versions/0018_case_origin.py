"""where a web chat's case came from (a keyed hash), for limiting new cases per origin

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as table:
        table.add_column(sa.Column("opened_from", sa.String(64)))
        table.create_index("ix_cases_opened_from", ["opened_from"])


def downgrade() -> None:
    with op.batch_alter_table("cases") as table:
        table.drop_index("ix_cases_opened_from")
        table.drop_column("opened_from")
