"""Component ids of the complaints page (/complaints); chart keys are prefixed `complaints-`."""
from __future__ import annotations

ROOT = "complaints-root"
RESOLVED = "complaints-resolved"  # dcc.Store: the resolved state every render callback reads
REGION = "complaints-region"
WEEK = "complaints-week"
PERIOD = "complaints-period"
SPAN = "complaints-span"
BY = "complaints-by"
ASOF = "complaints-asof"

TREND_CHART = "complaints-trend"      # chart keys: graph id = ids.chart(key)
FUNNEL_CHART = "complaints-funnel"
AGE_CHART = "complaints-age"
SERVICES_CHART = "complaints-services"
RATINGS_CHART = "complaints-ratings"

TREND_NOTE = "complaints-trend-note"
RULE = "complaints-spike-rule"
HOTSPOTS = "complaints-hotspots"
HANDLING_TILES = "complaints-handling-tiles"
OPEN_LIST = "complaints-open-list"
UNITS_TOWNSHIPS = "complaints-units-townships"
UNITS_DEPARTMENTS = "complaints-units-departments"
UNITS_NOTE = "complaints-units-note"
SERVICES_TILES = "complaints-services-tiles"
SERVICES_OVERDUE = "complaints-services-overdue"
UNMASK_CASE = "complaints-unmask-case"        # identity by case (纪委 only)
UNMASK_REASON = "complaints-unmask-reason"
UNMASK_OPEN = "complaints-unmask-open"
UNMASK_RESULT = "complaints-unmask-result"

PLAIN_IDS = (ROOT, RESOLVED, REGION, WEEK, PERIOD, SPAN, BY, ASOF, TREND_NOTE, RULE, HOTSPOTS,
             HANDLING_TILES, OPEN_LIST, UNITS_TOWNSHIPS, UNITS_DEPARTMENTS, UNITS_NOTE,
             SERVICES_TILES, SERVICES_OVERDUE, UNMASK_CASE, UNMASK_REASON, UNMASK_OPEN, UNMASK_RESULT)
CHART_KEYS = (TREND_CHART, FUNNEL_CHART, AGE_CHART, SERVICES_CHART, RATINGS_CHART)
