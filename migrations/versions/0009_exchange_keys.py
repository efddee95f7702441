"""intake: the exchange format's keys and columns on every table it loads; import history,
replaced versions and rejected rows as sent

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 07:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: Union[str, Sequence[str], None] = "0008"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# table -> columns added (all nullable or with a server default, so stored rows stay valid)
_COLUMNS: dict[str, tuple[tuple[str, sa.types.TypeEngine, object], ...]] = {
    "region": (("batch_id", sa.Integer(), None),),
    "fund_program": (("source_level", sa.String(12), ""), ("batch_id", sa.Integer(), None)),
    "fund_allocation": (("allocation_no", sa.String(40), None), ("batch_id", sa.Integer(), None)),
    "fund_payment": (("payment_no", sa.String(32), None), ("period", sa.String(7), "")),
    "village_ledger": (("summary", sa.Text(), ""),),
    "disclosure": (("item_no", sa.String(40), None), ("batch_id", sa.Integer(), None)),
    "complaint": (("status", sa.String(8), ""), ("subject", sa.String(64), ""),
                  ("time_limit_days", sa.Integer(), None)),
    "service_request": (("request_no", sa.String(32), None), ("time_limit_days", sa.Integer(), None),
                        ("batch_id", sa.Integer(), None)),
    "person": (("relation", sa.String(16), ""), ("batch_id", sa.Integer(), None)),
    "clue": (("batch_id", sa.Integer(), None),),
    "warning": (("warning_no", sa.String(32), None), ("batch_id", sa.Integer(), None)),
    "import_batch": (("dataset", sa.String(24), None), ("sha256", sa.String(64), None),
                     ("rows_updated", sa.Integer(), 0), ("rows_unchanged", sa.Integer(), 0),
                     ("seconds", sa.Double(), None), ("undone_at", sa.DateTime(), None)),
    "rejected_row": (("message_en", sa.Text(), ""), ("raw", sa.JSON(), None)),
}
_UNIQUE = (("fund_allocation", "allocation_no"), ("fund_payment", "payment_no"), ("disclosure", "item_no"),
           ("service_request", "request_no"), ("warning", "warning_no"))


def _column(name: str, kind: sa.types.TypeEngine, default: object) -> sa.Column:
    if default is None:
        return sa.Column(name, kind, nullable=True)
    return sa.Column(name, kind, nullable=False, server_default=sa.text(repr(default) if isinstance(default, str)
                                                                          else str(default)))


def upgrade() -> None:
    for table, columns in _COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for name, kind, default in columns:
                batch.add_column(_column(name, kind, default))
    with op.batch_alter_table("person") as batch:
        batch.alter_column("birth_year", existing_type=sa.Integer(), nullable=True)
    for table, column in _UNIQUE:
        op.create_index(f"ix_{table}_{column}", table, [column], unique=True)
    op.create_index("ix_village_ledger_village_voucher", "village_ledger", ["village_code", "voucher_no"],
                    unique=True)
    op.create_index("ix_import_batch_sha256", "import_batch", ["sha256"])
    op.create_table(
        "replaced_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=32), nullable=False),
        sa.Column("row_key", sa.String(length=80), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batch.id"], name="fk_replaced_row_batch_id_import_batch"),
        sa.PrimaryKeyConstraint("id", name="pk_replaced_row"),
    )
    op.create_index("ix_replaced_row_batch_id", "replaced_row", ["batch_id"])


def downgrade() -> None:
    op.drop_index("ix_replaced_row_batch_id", table_name="replaced_row")
    op.drop_table("replaced_row")
    op.drop_index("ix_import_batch_sha256", table_name="import_batch")
    op.drop_index("ix_village_ledger_village_voucher", table_name="village_ledger")
    for table, column in _UNIQUE:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
    with op.batch_alter_table("person") as batch:
        batch.alter_column("birth_year", existing_type=sa.Integer(), nullable=False)
    for table, columns in reversed(_COLUMNS.items()):
        with op.batch_alter_table(table) as batch:
            for name, _, _ in reversed(columns):
                batch.drop_column(name)
