"""inbox rows know their chat, so several workers can drain one chat in order

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("chat_id", sa.BigInteger(), nullable=True))
    op.create_index("ix_inbox_chat_pending", "inbox", ["chat_id", "processed_at", "update_id"])


def downgrade() -> None:
    op.drop_index("ix_inbox_chat_pending", table_name="inbox")
    with op.batch_alter_table("inbox") as batch:
        batch.drop_column("chat_id")
