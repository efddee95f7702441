"""Component ids of the overview page (总览)."""
from __future__ import annotations

OVERVIEW_ROOT = "overview-root"

OV_RESOLVED = "overview-resolved"
OV_REGION = "overview-region"
OV_WEEK = "overview-week"
OV_ASOF = "overview-asof"
OV_KPIS = "overview-kpis"
OV_MAP_CHART = "overview-map"  # chart key: the graph id is ids.chart(OV_MAP_CHART)
OV_MAP_NOTE = "overview-map-note"
OV_HOT = "overview-hot"
OV_CLUE_DUE = "overview-clue-deadlines"
OV_TREND_CHART = "overview-trend"  # chart key

PLAIN_IDS = (OVERVIEW_ROOT, OV_RESOLVED, OV_REGION, OV_WEEK, OV_ASOF, OV_KPIS, OV_MAP_NOTE, OV_HOT,
             OV_CLUE_DUE)
