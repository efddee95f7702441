"""Region-profile charts: the 12-week trend strip, the same small multiples as the
overview (figures.overview.trend_strip) so a region reads like the whole county."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from figures.overview import trend_strip


def profile_trend(df: pd.DataFrame, *, lang: str, height: int = 230) -> go.Figure:
    """Complaints received, on-time and satisfaction rates, new clues by week."""
    return trend_strip(df, lang=lang, height=height)
