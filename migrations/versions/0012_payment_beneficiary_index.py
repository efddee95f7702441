"""payments: the beneficiary index also covers programme, due date and paid date, so the
duplicate-payment rule groups a province's payments by reading the index in order (no sort)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 01:10:00
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0012"
down_revision: Union[str, Sequence[str], None] = "0011"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.drop_index("ix_fund_payment_beneficiary_key", table_name="fund_payment")
    op.create_index("ix_fund_payment_beneficiary_program_due", "fund_payment",
                    ["beneficiary_key", "program_id", "due_date", "paid_date"])


def downgrade() -> None:
    op.drop_index("ix_fund_payment_beneficiary_program_due", table_name="fund_payment")
    op.create_index("ix_fund_payment_beneficiary_key", "fund_payment", ["beneficiary_key"])
