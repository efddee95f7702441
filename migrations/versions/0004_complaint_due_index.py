"""merge the page branches; index complaints by village and due date

Revision ID: 0004
Revises: 0002_funds, 0003_complaints
Create Date: 2026-11-29 18:30:00

The funds and complaints revisions both grew from 0001; this one joins them (one head
again) and adds `ix_complaint_village_due` (village_code, due_date): the map's "overdue
complaints" records and the on-time rate by due date seek the due dates of the visible
villages instead of reading four months of complaints by receipt date.
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0004"
down_revision: Union[str, Sequence[str], None] = ("0002_funds", "0003_complaints")
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_complaint_village_due", "complaint", ["village_code", "due_date"])


def downgrade() -> None:
    op.drop_index("ix_complaint_village_due", table_name="complaint")
