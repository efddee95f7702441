"""Component ids of the weekly briefing page (/briefing)."""
from __future__ import annotations

BR_ROOT = "briefing-root"
BR_RESOLVED = "briefing-resolved"
BR_REGION = "briefing-region"
BR_WEEK = "briefing-week"
BR_ASOF = "briefing-asof"
BR_NARRATIVE = "briefing-narrative"
BR_TEXT_DONE = "briefing-text-done"  # the resolved state, once its text is shown: the charts follow
BR_GENERATE = "briefing-generate"
BR_JOB = "briefing-job"
BR_POLL = "briefing-poll"
BR_PROGRESS = "briefing-progress"
BR_STATUS = "briefing-status"
BR_DOWNLOADS = "briefing-downloads"
BR_GET_PPTX = "briefing-get-pptx"
BR_GET_PDF = "briefing-get-pdf"
BR_DOWNLOAD = "briefing-download"

CHART_PREFIX = "briefing-"


def chart_key(name: str) -> str:
    """Chart key (components.chart.chart_card) of a briefing chart: 'briefing-trend' ..."""
    return f"{CHART_PREFIX}{name}"
