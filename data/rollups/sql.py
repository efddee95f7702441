"""SQL fragments the rollup builders share (portable: SQLite and PostgreSQL)."""
from __future__ import annotations

TWP = "substr({0}, 1, 9) || '000'"  # the township code of a village code column
CTY = "substr({0}, 1, 6) || '000000'"  # the county code of a village or township code column
RUNNING = "OVER (PARTITION BY {0} ORDER BY w.idx ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
