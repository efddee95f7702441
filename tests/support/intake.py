"""Helpers of the import tests: an empty database with the base tree, the county demo as
exchange files, rollups compared table by table."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import inspect, text

from data.intake.base import prepare_database
from data.intake.export import export_exchange
from data.model.db import make_engine
from data.rollups import BUILDERS

# clue statuses of the demo are its own made-up history; an import flags its clues anew
STATUS_COLUMNS = {"rollup_clue_tw": ("verified", "filed")}
ROW_TABLES = ("region", "fund_program", "fund_allocation", "person", "fund_payment", "village_ledger",
              "disclosure", "complaint", "service_request", "warning", "clue", "rejected_row", "replaced_row")


def empty_engine(url: str):
    engine = make_engine(url)
    prepare_database(engine)
    return engine


def export_demo(engine, folder: Path) -> dict[str, int]:
    with engine.connect() as conn:
        return export_exchange(conn, folder)


def rollup_frame(conn, table: str, skip=STATUS_COLUMNS) -> pd.DataFrame:
    """A rollup's rows in a canonical order, money rounded to the cent, floats to 6 places
    (without the columns `skip` names)."""
    columns = [c["name"] for c in inspect(conn).get_columns(table) if c["name"] not in skip.get(table, ())]
    frame = pd.read_sql(text(f"SELECT {', '.join(columns)} FROM {table}"), conn)
    for name in frame.columns:
        if frame[name].dtype == object:
            frame[name] = frame[name].map(lambda v: float(v) if hasattr(v, "as_tuple") else v)
        if pd.api.types.is_float_dtype(frame[name]) or frame[name].map(type).eq(float).any():
            frame[name] = pd.to_numeric(frame[name]).round(6)
    return frame.sort_values(list(frame.columns), ignore_index=True)


def rollup_differences(conn_a, conn_b, skip=STATUS_COLUMNS) -> dict[str, int]:
    """Rollup table -> rows not in both (0 everywhere when the two databases agree);
    `skip`: columns left out of the comparison (by default the clues' statuses)."""
    out = {}
    for table in sorted(BUILDERS):
        a, b = rollup_frame(conn_a, table, skip), rollup_frame(conn_b, table, skip)
        merged = a.astype(str).merge(b.astype(str), how="outer", indicator=True)
        out[table] = int((merged["_merge"] != "both").sum()) + abs(len(a) - len(b))
    return out


def row_counts(conn) -> dict[str, int]:
    return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in ROW_TABLES}
