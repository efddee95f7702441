"""Region-profile charts: the 12-week trend strip, the same small multiples as the
overview (figures.overview.trend_strip) so a region reads like the whole county."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from figures.overview import TREND_PANELS, trend_strip


def profile_trend(df: pd.DataFrame, *, lang: str, height: int = 230) -> go.Figure:
    """Complaints received, on-time and satisfaction rates, new clues by week.

    A village has few complaints a week, so the rate panels get a fixed 0–100 % axis
    (auto-range would stretch one or two points to 200 %).
    """
    fig = trend_strip(df, lang=lang, height=height)
    if not df.empty:
        for col, (key, kind, _) in enumerate(TREND_PANELS, start=1):
            if kind == "line":
                fig.update_yaxes(range=[0, 1.05], row=1, col=col)
    return fig
