"""complaints: an index by receipt time for the records of a whole province

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 21:10:00

`ix_complaint_received` (received_at, village_code, due_date): the complaints received
in a period across every village of a province root (~24,000 villages) are one range of
this index instead of one seek per village in (village_code, received_at); it also
carries the region check and the due-date sort of the records grid.
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0006"
down_revision: Union[str, Sequence[str], None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_complaint_received", "complaint", ["received_at", "village_code", "due_date"])


def downgrade() -> None:
    op.drop_index("ix_complaint_received", table_name="complaint")
