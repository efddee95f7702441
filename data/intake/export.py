"""The database as exchange files (`python cli.py demo --export DIR`): one CSV per dataset
with the format's Chinese headers and words, as a county's systems would send them, so
importing the folder into an empty database gives back the same rollups and KPIs.

Read and written in chunks: a city's 3 M rows never sit in memory at once.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import text

from data.intake import vocab
from data.intake.datasets import DATASETS, LOAD_ORDER

CHUNK = 200_000
# dataset -> (SELECT of its stored rows with the exchange keys as column names, order)
_SQL = {
    "regions": (("SELECT code, name, level, COALESCE(parent_code, '') AS parent_code, population, lon, lat "
                "FROM region WHERE batch_id IS NOT NULL OR is_demo = :true OR code IN "
                "(SELECT code FROM region_boundary)"), "code"),
    "fund_programs": (("SELECT code AS program_code, name AS program_name, category, source_level, department, "
                      "per_person_standard AS standard_amount, payment_cycle AS standard_period FROM fund_program"),
                      "id"),
    "fund_allocations": (("SELECT a.allocation_no, p.code AS program_code, a.region_code, a.year AS fiscal_year, "
                         "a.amount, a.allocated_on, a.source_level FROM fund_allocation a "
                         "JOIN fund_program p ON p.id = a.program_id"), "a.id"),
    "persons": (("SELECT person_key, village_code, deceased_date AS deceased_on, official_post, "
                "relative_of AS related_official_key, relation, has_vehicle AS owns_vehicle, "
                "has_property AS owns_property, birth_year FROM person"), "person_key"),
    "fund_payments": (("SELECT x.payment_no, p.code AS program_code, x.village_code, x.beneficiary_key, x.amount, "
                      "x.period, x.due_date AS due_on, x.paid_date AS paid_on FROM fund_payment x "
                      "JOIN fund_program p ON p.id = x.program_id"), "x.id"),
    "village_ledger": (("SELECT voucher_no, village_code, entry_date AS booked_on, direction, category, amount, "
                       "counterparty, summary FROM village_ledger"), "id"),
    "disclosures": (("SELECT item_no, village_code, kind, period, due_date AS due_on, published_date AS published_on "
                    "FROM disclosure"), "id"),
    "complaints": (("SELECT c.case_no AS complaint_no, c.received_at, c.channel, c.category, c.village_code AS "
                   "region_code, c.subject, c.status, c.accepted_at, c.replied_at, c.closed_at, c.time_limit_days, "
                   "c.satisfaction, c.content, c.complainant_name, c.complainant_phone, c.department, "
                   "r.case_no AS repeat_of_no FROM complaint c LEFT JOIN complaint r ON r.id = c.repeat_of"), "c.id"),
    "service_requests": (("SELECT request_no, matter, village_code, submitted_at, time_limit_days, completed_at, "
                         "rating FROM service_request"), "id"),
    "warnings": (("SELECT warning_no, source, level, region_code, raised_on AS raised_at, task_issued_on AS task_at, "
                 "verified_on AS verified_at, closed_on AS closed_at, feedback, title FROM warning"), "id"),
}


def export_exchange(conn, out_dir: Path, datasets=LOAD_ORDER) -> dict[str, int]:
    """Write `<dataset>.csv` for each dataset into `out_dir`; returns rows per dataset."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name in datasets:
        counts[name] = _export_one(conn, name, out_dir / f"{name}.csv")
    return counts


def _export_one(conn, name: str, path: Path) -> int:
    dataset = DATASETS[name]
    sql, order = _SQL[name]
    result = conn.execute(text(f"{sql} ORDER BY {order}"), {"true": True})
    columns = list(result.keys())
    total = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write(",".join(dataset.column(c).zh for c in columns) + "\r\n")
        while rows := result.cursor.fetchmany(CHUNK):
            frame = pd.DataFrame.from_records(rows, columns=columns)
            _words(name, frame).to_csv(handle, header=False, index=False, lineterminator="\r\n")
            total += len(frame)
    return total


def _words(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Stored values as the exchange file writes them (codes -> Chinese words, dates,
    moments to the second, yes/no, amounts to the cent, missing empty)."""
    out = {}
    for key in frame.columns:
        col = DATASETS[name].column(key)
        values = frame[key]
        if (name, key) in vocab.CLOSED or (name, key) in vocab.OPEN:
            values = values.map(lambda v, key=key: vocab.export_word(name, key, v))
        elif col.kind in ("date", "datetime"):
            values = _times(values, col.kind)
        elif col.kind == "bool":
            values = values.map(lambda v: "" if v is None else ("是" if bool(v) else "否"))
        elif col.kind == "amount":
            values = values.map(lambda v: "" if v is None else f"{float(v):.2f}")
        elif col.kind in ("int", "number"):
            values = values.map(lambda v, col=col: "" if v is None or pd.isna(v) else
                                (str(int(v)) if col.kind == "int" else repr(float(v))))
        out[key] = values.map(lambda v: "" if v is None else v)
    return pd.DataFrame(out)


def _times(values: pd.Series, kind: str) -> pd.Series:
    parsed = pd.to_datetime(values, format="ISO8601")
    text_ = parsed.dt.strftime("%Y-%m-%d" if kind == "date" else "%Y-%m-%d %H:%M:%S")
    return text_.where(parsed.notna(), "")
