"""answers on the session row, read with it on every turn

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("coaching_sessions") as batch:
        batch.add_column(sa.Column("answer_map", sa.JSON(), nullable=False, server_default="{}"))
    connection = op.get_bind()
    answers = connection.execute(
        sa.text("SELECT session_id, question_id, value, shown FROM answers ORDER BY id")
    ).fetchall()
    maps: dict[int, dict[str, list[object]]] = {}
    for session_id, question_id, value, shown in answers:
        decoded = json.loads(value) if isinstance(value, str) else value
        maps.setdefault(session_id, {})[question_id] = [decoded, shown]
    for session_id, answer_map in maps.items():
        connection.execute(
            sa.text("UPDATE coaching_sessions SET answer_map = :m WHERE id = :i"),
            {"m": json.dumps(answer_map), "i": session_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("coaching_sessions") as batch:
        batch.drop_column("answer_map")
