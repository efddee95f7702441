"""Component ids of the big screen (/screen)."""
from __future__ import annotations

SC_ROOT = "screen-root"
SC_STATE = "screen-state"
SC_RESOLVED = "screen-resolved"
SC_VIEWPORT = "screen-viewport"    # {w, h} of the browser window (clientside)
SC_REFRESH = "screen-refresh"      # dcc.Interval: re-read the data
SC_ROTATE = "screen-rotate"        # dcc.Interval: next panel
SC_TITLE = "screen-title"
SC_PERIOD = "screen-period"
SC_UPDATED = "screen-updated"
SC_KPIS = "screen-kpis"
SC_HOT = "screen-hot"
SC_PANEL_TYPE = "screen-panel"

# chart keys (components.chart.chart_card; graph id = ids.chart(key))
SC_MAP_CHART = "screen-map"
SC_TREND_CHART = "screen-trend"
SC_RANKING_CHART = "screen-ranking"
SC_FUNDS_CHART = "screen-funds"
PANELS = ("situation", "units")


def panel(name: object) -> dict:
    """Id of a rotating panel ('situation', 'units'; ALL in callbacks)."""
    return {"type": SC_PANEL_TYPE, "panel": name}
