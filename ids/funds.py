"""Component ids of the fund-flows page (/funds); chart keys are prefixed `funds-`.

Plain string constants; the graphs are `ids.chart(<chart key>)` (components/chart.py).
"""
from __future__ import annotations

ROOT = "funds-root"
RESOLVED = "funds-resolved"  # dcc.Store: the state with defaults filled in
REGION = "funds-region"
WEEK = "funds-week"
PERIOD = "funds-period"  # ytd | quarter | 4w: the window of sections 3, 4 and the records
ASOF = "funds-asof"
FILTERS = "funds-filters"  # the active Sankey filters as chips
CLEAR = "funds-clear"  # button: drop the Sankey filters
SANKEY_NOTE = "funds-sankey-note"
PROGRESS_SUMMARY = "funds-progress-summary"
OVERDUE_SUMMARY = "funds-overdue-summary"
OUTLIERS = "funds-outliers"
LATE_VILLAGES = "funds-late-villages"
DELAYED = "funds-delayed"
RECORDS_SOURCE = "funds-records-source"  # radio: which records the grid shows
RECORDS = "funds-records"

# chart keys (graph id = ids.chart(key))
SANKEY_CHART = "funds-sankey"
PROGRESS_CHART = "funds-progress"
OVERDUE_CHART = "funds-overdue"
LEDGER_CHART = "funds-ledger"
DISCLOSURE_CHART = "funds-disclosure"
DISCLOSURE_KINDS_CHART = "funds-disclosure-kinds"
PROJECTS_CHART = "funds-projects"

PLAIN_IDS = (ROOT, RESOLVED, REGION, WEEK, PERIOD, ASOF, FILTERS, CLEAR, SANKEY_NOTE,
             PROGRESS_SUMMARY, OVERDUE_SUMMARY, OUTLIERS, LATE_VILLAGES, DELAYED,
             RECORDS_SOURCE, RECORDS)
CHART_KEYS = (SANKEY_CHART, PROGRESS_CHART, OVERDUE_CHART, LEDGER_CHART, DISCLOSURE_CHART,
              DISCLOSURE_KINDS_CHART, PROJECTS_CHART)
