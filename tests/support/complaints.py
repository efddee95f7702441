"""Independent SQL on the raw `complaint` table, shared by the complaints query tests
(tests/data/queries/test_complaints.py on the county demo, test_complaints_city.py on the
reduced city demo)."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import text


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
