"""Region-profile charts: the 12-week trend strip, the same small multiples as the
overview (figures.overview.trend_strip) so a region reads like the whole county."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from figures.overview import trend_strip


def profile_trend(df: pd.DataFrame, *, lang: str, height: int = 230) -> go.Figure:
    """Complaints received, on-time and satisfaction rates, new clues by week.

    A village has few complaints a week, so the rate panels get a fixed 0–100 % axis
    (auto-range would stretch one or two points to 200 %).
    """
    return trend_strip(df, lang=lang, height=height, rate_range=[0, 1])


TIMELINE_PANELS = (  # series, chart kind, d3 format, divide by
    ("complaints_received", "bar", ",.0f", 1),
    ("service_requests", "bar", ",.0f", 1),
    ("new_clues", "bar", ",.0f", 1),
    ("warnings_raised", "bar", ",.0f", 1),
    ("funds_paid", "bar", ",.1f", 10_000),
    ("finance_expense", "bar", ",.1f", 10_000),
)


TIMELINE_SPACING = 0.055  # between the stacked rows, a fraction of the plot height


def profile_timeline(df: pd.DataFrame, *, lang: str, height: int = 600) -> go.Figure:
    """The region's activity on one date axis: one row per series (weeks; finance by month).

    Money is shown in 10,000 yuan (万元). Rows share the x axis, so a spike in complaints
    can be read against payments, warnings and finance in the same weeks.
    The stacked rows are laid out by hand (what `make_subplots(rows=6, shared_xaxes=True)`
    builds) and the figure is validated once: a third of the time of the subplot helpers.
    """
    from figures.theme import SERIES, base_layout, empty_figure
    from i18n import t
    if df.empty:
        return empty_figure(t("common.no_data", lang), height=height)
    titles = [t(f"region.timeline.{key}", lang) for key, *_ in TIMELINE_PANELS]
    rows, spacing = len(TIMELINE_PANELS), TIMELINE_SPACING
    step = (1 - spacing * (rows - 1)) / rows
    annotations: list[dict] = []
    data: list[dict] = []
    layout: dict[str, object] = {"annotations": annotations}
    for row, (key, _, fmt, scale) in enumerate(TIMELINE_PANELS, start=1):
        part = df[df["series"] == key]
        width = (27 if key == "finance_expense" else 6) * 86_400_000 * 0.8  # ms: month / week bars
        suffix = "" if row == 1 else str(row)
        data.append(dict(type="bar", x=pd.to_datetime(part["period_start"]), y=part["value"] / scale,
                         marker=dict(color=SERIES[(row - 1) % len(SERIES)]), width=width,
                         xperiod="M1" if key == "finance_expense" else 7 * 86_400_000,
                         xperiodalignment="start", name=titles[row - 1],
                         hovertemplate=f"%{{x|%Y-%m-%d}}<br>%{{y:{fmt}}}<extra>{titles[row - 1]}</extra>",
                         xaxis=f"x{suffix}", yaxis=f"y{suffix}"))
        bottom = (rows - row) * (step + spacing)
        top = bottom + step
        # dates as numbers ("2026-07"): plotly would print English month names on a Chinese page
        layout[f"xaxis{suffix}"] = dict(anchor=f"y{suffix}", domain=[0.0, 1.0], tickformat="%Y-%m",
                                        **({} if row == rows else dict(matches=f"x{rows}", showticklabels=False)))
        layout[f"yaxis{suffix}"] = dict(anchor=f"x{suffix}", domain=[bottom, top], rangemode="tozero",
                                        gridcolor="#eceff3", nticks=3, tickformat=",~f")  # no SI "20k" (万元)
        annotations.append(dict(text=titles[row - 1], x=0, xanchor="left", xref="paper",
                                y=top, yanchor="bottom", yref="paper", showarrow=False,
                                font=dict(size=12)))
    fig = go.Figure(data=data, layout=dict(layout, showlegend=False, bargap=0.1))
    return base_layout(fig, height=height).update_layout(margin=dict(l=8, r=8, t=24, b=8))
