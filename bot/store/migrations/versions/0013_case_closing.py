"""who closed a case, and whether its urgency was a false alarm: the supervisor's figures need both

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as table:
        table.add_column(sa.Column("closed_by", sa.Integer, nullable=True))
        table.create_foreign_key("fk_cases_closed_by", "lawyers", ["closed_by"], ["id"], ondelete="SET NULL")
        # only for urgent cases: True when the lawyer found it was not urgent after all
        table.add_column(sa.Column("false_alarm", sa.Boolean, nullable=True))
        table.create_index("ix_cases_created_at", ["created_at"])


def downgrade() -> None:
    with op.batch_alter_table("cases") as table:
        table.drop_index("ix_cases_created_at")
        table.drop_constraint("fk_cases_closed_by", type_="foreignkey")
        table.drop_column("false_alarm")
        table.drop_column("closed_by")
