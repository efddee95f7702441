"""clues and warnings: the workflow's handler unit, step due date and dismissal reason; who moved
a clue; a warning's responsible unit, task due date, the clue that raised it, and its loop history

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 23:30:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: Union[str, Sequence[str], None] = "0010"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("clue") as batch:
        batch.add_column(sa.Column("handler_code", sa.String(12), nullable=True))
        batch.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("dismiss_reason", sa.String(16), nullable=True))
        batch.create_index("ix_clue_status_due", ["status", "due_on"])
    with op.batch_alter_table("clue_event") as batch:
        batch.add_column(sa.Column("actor", sa.String(64), nullable=False, server_default="system"))
        batch.add_column(sa.Column("handler_code", sa.String(12), nullable=True))
        batch.add_column(sa.Column("recorded_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("warning") as batch:
        batch.add_column(sa.Column("unit_code", sa.String(12), nullable=True))
        batch.add_column(sa.Column("task_due_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("clue_id", sa.Integer(), nullable=True))
        batch.create_index("ix_warning_unit_code", ["unit_code"])
    op.create_table(
        "warning_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.Date(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["warning_id"], ["warning.id"], name=op.f("fk_warning_event_warning_id_warning")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_event")),
    )
    op.create_index("ix_warning_event_warning_id", "warning_event", ["warning_id"])


def downgrade() -> None:
    op.drop_index("ix_warning_event_warning_id", table_name="warning_event")
    op.drop_table("warning_event")
    with op.batch_alter_table("warning") as batch:
        batch.drop_index("ix_warning_unit_code")
        batch.drop_column("clue_id")
        batch.drop_column("task_due_on")
        batch.drop_column("unit_code")
    with op.batch_alter_table("clue_event") as batch:
        batch.drop_column("recorded_at")
        batch.drop_column("handler_code")
        batch.drop_column("actor")
    with op.batch_alter_table("clue") as batch:
        batch.drop_index("ix_clue_status_due")
        batch.drop_column("dismiss_reason")
        batch.drop_column("due_on")
        batch.drop_column("handler_code")
