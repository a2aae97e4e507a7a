"""a voice note's transcript, from a self-hosted speech-to-text server when one is configured

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("media") as table:
        table.add_column(sa.Column("transcript", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("media") as table:
        table.drop_column("transcript")
