"""complaints page rollups and record-list indexes (data/rollups/complaints.py)

Revision ID: 0003_complaints
Revises: 0001
Create Date: 2026-11-22 08:10:00

Tables the /complaints page reads at province scale: complaints by region level x
dimension (category, channel, department) x week with the cohort funnel and handling
times, and 我要办 service requests by region level x matter x week; two indexes for the
page's record lists (open complaints oldest first, open service requests by due date).
Filled by their builders in data/rollups/ (data.rollups.rebuild_all);
on an existing database run
`python cli.py rebuild-rollups` once to fill them.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0003_complaints"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _counts(*names):
    return [sa.Column(n, sa.Integer(), nullable=False) for n in names]


def upgrade() -> None:
    """Create the complaints rollup tables and the record-list indexes."""
    op.create_table(
        "rollup_complaint_rwd",
        sa.Column("dim", sa.String(length=12), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("week_key", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("value", sa.String(length=32), nullable=False),
        *_counts("received", "accepted", "repeats", "c_replied", "c_closed", "closed", "replied",
                 "rated", "satisfied", "due", "due_on_time", "reply_n"),
        sa.Column("reply_days", sa.Float(), nullable=False),
        sa.Column("close_days", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("dim", "level", "week_key", "region_code", "value",
                                name=op.f("pk_rollup_complaint_rwd")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "rollup_service_rwm",
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("matter", sa.String(length=24), nullable=False),
        sa.Column("week_key", sa.Integer(), nullable=False),
        *_counts("submitted", "completed", "due", "due_on_time", "rated", "rating_sum",
                 "rating_1", "rating_2", "rating_3", "rating_4", "rating_5"),
        sa.PrimaryKeyConstraint("level", "region_code", "matter", "week_key",
                                name=op.f("pk_rollup_service_rwm")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_complaint_open", "complaint",
                    ["closed_at", "received_at", "village_code", "due_date"], unique=False)
    op.create_index("ix_service_request_open", "service_request",
                    ["completed_at", "due_date", "village_code"], unique=False)


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_service_request_open", table_name="service_request")
    op.drop_index("ix_complaint_open", table_name="complaint")
    op.drop_table("rollup_service_rwm")
    op.drop_table("rollup_complaint_rwd")
