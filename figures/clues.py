"""Figures of the clues page: the workflow funnel, stacked by county or by rule.

Pure plotly from DataFrames (no queries, no dash); labels come through i18n.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from figures.theme import SERIES, base_layout, empty_figure
from i18n import t
from i18n.numbers import format_value

MAX_KEYS = 7  # stacked parts shown; the rest are summed into "other"


def funnel_figure(frame: pd.DataFrame, labels: dict, statuses: tuple[str, ...], *, lang: str,
                  height: int = 340) -> go.Figure:
    """One horizontal bar per workflow step of `statuses` (the first at the top), stacked by
    key (`frame`: key, status, clues, amount); each bar ends with its count and amount."""
    if frame.empty:
        return empty_figure(t("clues.funnel.empty", lang), height=height)
    order = frame.groupby("key")["clues"].sum().sort_values(ascending=False).index.tolist()
    keep = order[:MAX_KEYS - 1] if len(order) > MAX_KEYS else order
    frame = frame.assign(key=frame["key"].where(frame["key"].isin(keep), "__other__"))
    labels = {**labels, "__other__": t("clues.funnel.other", lang)}
    steps = [t(f"clue_status.{s}", lang) for s in statuses]
    fig = go.Figure()
    for i, key in enumerate([*keep, *(["__other__"] if len(order) > len(keep) else [])]):
        part = frame[frame["key"] == key].groupby("status")[["clues", "amount"]].sum().reindex(statuses, fill_value=0)
        fig.add_trace(go.Bar(
            y=steps, x=part["clues"].tolist(), orientation="h", name=labels.get(key, key),
            marker_color=SERIES[i % len(SERIES)],
            customdata=[format_value(a, "yuan", lang) for a in part["amount"]],
            hovertemplate="%{y} · " + labels.get(key, key).replace("%", "%%")
                          + "<br>" + t("clues.funnel.hover", lang) + "<extra></extra>"))
    totals = frame.groupby("status")[["clues", "amount"]].sum().reindex(statuses, fill_value=0)
    for step, (n, amount) in zip(steps, totals.itertuples(index=False)):
        fig.add_annotation(x=n, y=step, xanchor="left", showarrow=False, xshift=6,
                           text=t("clues.funnel.total", lang, n=f"{int(n):,}", amount=format_value(amount, "yuan", lang)))
    base_layout(fig, height=height)
    fig.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.15},
                      yaxis={"autorange": "reversed", "title": None},
                      xaxis={"title": t("clues.funnel.axis", lang), "rangemode": "tozero"},
                      margin={"l": 90, "r": 150, "t": 20, "b": 40})
    return fig


def overdue_units_figure(frame: pd.DataFrame, *, lang: str, height: int = 300) -> go.Figure:
    """Units with overdue warnings (`frame`: unit, open, overdue), the most overdue on top."""
    if frame.empty:
        return empty_figure(t("warnings.units.empty", lang), height=height)
    frame = frame.head(10).iloc[::-1]
    fig = go.Figure([
        go.Bar(y=frame["unit"].tolist(), x=frame["overdue"].tolist(), orientation="h", name=t("warnings.overdue", lang),
               marker_color="#c0392b", hovertemplate="%{y}: %{x}<extra></extra>"),
        go.Bar(y=frame["unit"].tolist(), x=(frame["open"] - frame["overdue"]).tolist(), orientation="h",
               name=t("warnings.open_in_time", lang), marker_color="#95a5a6", hovertemplate="%{y}: %{x}<extra></extra>"),
    ])
    base_layout(fig, height=height)
    xaxis = {"title": t("warnings.axis", lang), "tickformat": ",d", "dtick": 1 if frame["open"].max() <= 10 else None}
    fig.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.2}, xaxis=xaxis, yaxis={"automargin": True},
                      margin={"l": 140, "r": 20, "t": 10, "b": 40})
    return fig
