"""Component ids of the shared chart export (callbacks/chart_export.py)."""
from __future__ import annotations

CHART_EXPORT_MSG_TYPE = "chart-export-msg"


def chart_export_msg(key: object) -> dict:
    """Id of the message line under a chart's export menu (errors such as a missing font)."""
    return {"type": CHART_EXPORT_MSG_TYPE, "key": key}
