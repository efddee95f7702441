"""Independent SQL on the raw `complaint` table, shared by the complaints query tests
(tests/data/queries/test_complaints.py on the county demo, test_complaints_city.py on the
reduced city demo)."""
from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text


def approx_rate(value, expected) -> bool:
    """A rate equal to the raw one (None where the raw rate has no denominator)."""
    return value is None if expected is None else value == pytest.approx(expected, rel=1e-9, abs=1e-9)


def assert_units_equal_raw(units: pd.DataFrame, raw: pd.DataFrame) -> None:
    """Every raw unit's counts and rates (raw_unit_counts) equal the league's row of it."""
    for code, row in raw.iterrows():
        unit = units.loc[code]
        assert unit["received"] == row["received"] and unit["closed"] == row["closed"]
        assert approx_rate(unit["reply_rate"], row["replied"] / row["closed"] if row["closed"] else None)
        assert approx_rate(unit["satisfaction_rate"], row["satisfied"] / row["rated"] if row["rated"] else None)
        assert approx_rate(unit["repeat_complaint_rate"], row["repeats"] / row["received"] if row["received"] else None)


def raw_unit_counts(conn, unit_code_sql: str, where_sql: str, start: str, end: str) -> pd.DataFrame:
    """League counts per unit straight from `complaint` (received/repeats by receipt date,
    closed/replied/rated/satisfied by close date in [start, end)), indexed by unit code."""
    return pd.read_sql_query(text(f"""
        SELECT {unit_code_sql} AS code,
          SUM(received_at >= :a AND received_at < :b) AS received,
          SUM(received_at >= :a AND received_at < :b AND repeat_of IS NOT NULL) AS repeats,
          SUM(date(closed_at) >= :a AND date(closed_at) < :b) AS closed,
          SUM(date(closed_at) >= :a AND date(closed_at) < :b AND replied_at IS NOT NULL) AS replied,
          SUM(date(closed_at) >= :a AND date(closed_at) < :b AND satisfaction IS NOT NULL) AS rated,
          SUM(date(closed_at) >= :a AND date(closed_at) < :b
              AND satisfaction IN ('very_satisfied', 'satisfied')) AS satisfied
        FROM complaint WHERE {where_sql} GROUP BY 1"""), conn, params={"a": start, "b": end}).set_index("code")
