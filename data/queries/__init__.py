"""Query functions of the dashboard: `fetch_x(conn, scope, *, filters) -> DataFrame`.

One module per domain (regions, metrics, map, region_profile, funds, complaints); the
region and metric functions every page uses are re-exported here. All read
rollups (and the region dimension) with bound parameters only, and apply the user's
scope in SQL (data.scope). Raw rows are read only by drill-to-records modules.
"""
from __future__ import annotations

from data.queries.metrics import (
    ATTENTION_MEASURES,
    KPI_KEYS,
    add_rates,
    collect_measures,
    fetch_child_metrics,
    fetch_hot_townships,
    fetch_kpis,
    fetch_trend,
)
from data.queries.regions import (
    fetch_children,
    fetch_dataset_info,
    fetch_region,
    fetch_region_options,
    fetch_regions_at,
    fetch_weeks,
)

__all__ = [
    "ATTENTION_MEASURES", "KPI_KEYS", "add_rates", "collect_measures", "fetch_child_metrics",
    "fetch_children", "fetch_dataset_info", "fetch_hot_townships", "fetch_kpis", "fetch_region",
    "fetch_region_options", "fetch_regions_at", "fetch_trend", "fetch_weeks",
]
