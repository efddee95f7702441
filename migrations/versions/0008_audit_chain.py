"""access: hash-chained audit_log (address, scope, prev_hash, row_hash); one-time passwords

Rows written before this revision are chained here, in id order, so `cli.py audit verify`
covers the whole log.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 19:50:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from data.model.audit_chain import GENESIS, digest

revision: str = "0008"
down_revision: Union[str, Sequence[str], None] = "0007"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_COLUMNS = (("address", sa.String(length=45)), ("scope", sa.JSON()),
            ("prev_hash", sa.String(length=64)), ("row_hash", sa.String(length=64)))


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        for name, kind in _COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    _chain_existing_rows()


def _chain_existing_rows() -> None:
    conn = op.get_bind()
    text = ("user", "action", "object", "region_code", "address", "prev_hash", "row_hash")
    log = sa.table("audit_log", sa.column("id", sa.Integer()), sa.column("at", sa.DateTime()),
                   sa.column("detail", sa.JSON()), sa.column("scope", sa.JSON()),
                   *[sa.column(n, sa.String()) for n in text])
    prev = GENESIS
    for row in conn.execute(sa.select(log).order_by(log.c.id)).mappings().all():
        row_hash = digest(prev, row)
        conn.execute(sa.update(log).where(log.c.id == row["id"]).values(prev_hash=prev, row_hash=row_hash))
        prev = row_hash


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("must_change_password")
    with op.batch_alter_table("audit_log") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
