"""Component ids of the hotspot map page (热点地图) and of the region profile (画像)."""
from __future__ import annotations

MAP_ROOT = "map-root"
MAP_VIEW = "map-view"  # the resolved view: what is drawn (URL keys + names)
MAP_METRIC = "map-metric"
MAP_PERIOD = "map-period"
MAP_WEEK = "map-week"
MAP_ASOF = "map-asof"
MAP_CRUMBS = "map-crumbs"
MAP_CHART = "map-main"  # chart key: the graph id is ids.chart(MAP_CHART)
MAP_NOTE = "map-note"
MAP_PANEL = "map-panel"
MAP_WORST = "map-worst"
MAP_RECORDS_CHOICE = "map-records-choice"
MAP_RECORDS = "map-records"  # records-grid key
MAP_URL_SINK = "map-url-sink"
MAP_DRAWN = "map-drawn"  # {region} of the figure on screen: same region -> patch values

REGION_ROOT = "region-root"
REGION_VIEW = "region-view"
REGION_PERIOD = "region-period"
REGION_CRUMBS = "region-crumbs"
REGION_SUMMARY = "region-summary"
REGION_KPIS = "region-kpis"
REGION_REASONS = "region-reasons"
REGION_CHILDREN = "region-children"
REGION_TREND_CHART = "region-trend"  # chart key
REGION_TIMELINE_CHART = "region-timeline"  # chart key
REGION_RECORDS = "region-records"  # records-grid key
REGION_OVERSIGHT = "region-oversight"  # the place's clues and warnings (VIEW_CLUES)

PLAIN_IDS = (MAP_ROOT, MAP_VIEW, MAP_METRIC, MAP_PERIOD, MAP_WEEK, MAP_ASOF, MAP_CRUMBS,
             MAP_NOTE, MAP_PANEL, MAP_WORST, MAP_RECORDS_CHOICE, MAP_URL_SINK, MAP_DRAWN,
             REGION_ROOT, REGION_VIEW, REGION_PERIOD, REGION_CRUMBS, REGION_SUMMARY,
             REGION_KPIS, REGION_REASONS, REGION_CHILDREN, REGION_OVERSIGHT)
