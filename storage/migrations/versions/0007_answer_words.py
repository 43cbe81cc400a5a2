"""answers keep the person's own words; a session keeps the reading it is asking to confirm

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("words", sa.Text(), nullable=True))
    with op.batch_alter_table("coaching_sessions") as batch:
        batch.add_column(sa.Column("pending_answer", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("coaching_sessions") as batch:
        batch.drop_column("pending_answer")
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("words")
