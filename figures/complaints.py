"""Figures of the complaints page: trend with last year and spikes, funnel, open ages, 我要办.

Pure plotly from DataFrames (no queries, no dash); labels come through i18n.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from data.calendar import format_week
from figures.theme import BAD, FONT_FAMILY, GOOD, NEUTRAL, PRIMARY, SERIES, base_layout, empty_figure
from i18n import t

MAX_SERIES = 7  # breakdown lines shown; the rest are summed into "other"
GRID = "#eceff3"
SPIKE_MARKER = dict(symbol="triangle-up", size=11, color=BAD, line=dict(color="#fff", width=1))


def _weeks(keys) -> list[str]:
    return [format_week(int(w)) for w in keys]


def trend_figure(weekly: pd.DataFrame, totals: pd.DataFrame, spikes: pd.DataFrame, *,
                 labels: dict, lang: str, height: int = 460) -> go.Figure:
    """Two panels over the same weeks.

    Top: the region's total received per week, solid, and the same ISO weeks a year
    earlier, dashed (`totals`: week_key, received, last_year). Bottom: one line per
    breakdown key (`weekly`: week_key, key, received; the largest MAX_SERIES - 1 keys,
    the rest summed as "other"). Spike weeks (`spikes`: key, week_key, count; key
    "__total__" for the top panel) are red triangles on their line.
    """
    if totals.empty or float(totals["received"].sum()) == 0 and float(totals["last_year"].sum()) == 0:
        return empty_figure(t("common.no_data", lang), height=height)
    weeks = _weeks(totals["week_key"])
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.09, row_heights=[0.42, 0.58],
                        subplot_titles=[t("complaints.trend.total_panel", lang),
                                        t("complaints.trend.breakdown_panel", lang)])
    hover = "%{x}<br>%{fullData.name}: %{y:,d}<extra></extra>"
    fig.add_trace(go.Scatter(x=weeks, y=totals["last_year"], name=t("complaints.trend.last_year", lang),
                             mode="lines", line=dict(color=NEUTRAL, width=1.6, dash="dash"),
                             hovertemplate=hover, legendgroup="total"), row=1, col=1)
    fig.add_trace(go.Scatter(x=weeks, y=totals["received"], name=t("complaints.trend.this_year", lang),
                             mode="lines", line=dict(color=PRIMARY, width=2.4), hovertemplate=hover,
                             legendgroup="total"), row=1, col=1)
    wide = _wide(weekly, totals["week_key"])
    spikes = spikes if spikes is not None else pd.DataFrame(columns=["key", "week_key", "count"])
    for i, key in enumerate(wide.columns):
        fig.add_trace(go.Scatter(x=weeks, y=wide[key], name=labels.get(key, str(key)), mode="lines",
                                 line=dict(color=SERIES[i % len(SERIES)], width=1.6),
                                 hovertemplate=hover), row=2, col=1)
    spike_rows = [(r.key, r.week_key, r.count) for r in spikes.itertuples()]
    top = [(w, c) for k, w, c in spike_rows if k == "__total__"]
    low = [(w, c, k) for k, w, c in spike_rows if k != "__total__" and k in wide.columns]
    name = t("complaints.trend.spike", lang)
    for row, points in ((1, [(w, c, "") for w, c in top]), (2, low)):
        if not points:
            continue
        fig.add_trace(go.Scatter(
            x=[format_week(int(w)) for w, _, _ in points], y=[c for _, c, _ in points],
            text=[labels.get(k, str(k)) for _, _, k in points], mode="markers", name=name,
            marker=SPIKE_MARKER, legendgroup="spike", showlegend=row == 1 or not top,
            hovertemplate=f"{name}<br>%{{x}} %{{text}}: %{{y:,d}}<extra></extra>"), row=row, col=1)
    fig.update_yaxes(rangemode="tozero", tickformat=",d", gridcolor=GRID)
    step = max(1, len(weeks) // 12)
    fig.update_xaxes(tickmode="array", tickvals=weeks[::step],
                     ticktext=[w.replace("-", " ") for w in weeks[::step]], tickfont=dict(size=10))
    fig.update_layout(legend=dict(orientation="h", y=-0.08, x=0, font=dict(size=11)),
                      hovermode="closest")
    fig.update_annotations(font=dict(size=13, family=FONT_FAMILY, color=PRIMARY), x=0, xanchor="left")
    return base_layout(fig, height=height).update_layout(margin=dict(l=8, r=8, t=28, b=8))


def _wide(weekly: pd.DataFrame, week_keys) -> pd.DataFrame:
    """Weeks x keys, the largest keys kept and the rest summed as "__other__"."""
    if weekly.empty:
        return pd.DataFrame(index=list(week_keys))
    wide = (weekly.pivot_table(index="week_key", columns="key", values="received", aggfunc="sum")
            .reindex(list(week_keys)).fillna(0.0))
    order = wide.sum().sort_values(ascending=False).index.tolist()
    if len(order) > MAX_SERIES:
        keep = order[:MAX_SERIES - 1]
        wide["__other__"] = wide[order[MAX_SERIES - 1:]].sum(axis=1)
        return wide[[*keep, "__other__"]]
    return wide[order]


def funnel_figure(funnel: list[tuple[str, float]], *, lang: str, height: int = 260) -> go.Figure:
    """Received -> accepted -> replied -> closed, with each stage's share of received."""
    if not funnel or not funnel[0][1]:
        return empty_figure(t("common.no_data", lang), height=height)
    fig = go.Figure(go.Funnel(
        y=[t(f"complaints.funnel.{stage}", lang) for stage, _ in funnel], x=[v for _, v in funnel],
        textinfo="value+percent initial", marker=dict(color=[PRIMARY, "#2e6da4", "#4a90c2", GOOD]),
        hovertemplate="%{y}: %{x:,d}<extra></extra>"))
    return base_layout(fig, height=height).update_layout(margin=dict(l=8, r=8, t=8, b=8))


def age_figure(ages: pd.DataFrame, *, lang: str, height: int = 240) -> go.Figure:
    """Open complaints by age band: not yet due and overdue, stacked."""
    if ages.empty or not ages["open"].sum():
        return empty_figure(t("complaints.open.none", lang), height=height)
    labels = [t(f"complaints.age.{band}", lang) for band in ages["band"]]
    overdue = ages["overdue"].astype(float)
    pending = ages["open"].astype(float) - overdue
    hover = "%{x}<br>%{fullData.name}: %{y:,d}<extra></extra>"
    fig = go.Figure([
        go.Bar(x=labels, y=pending, name=t("complaints.age.not_due", lang), marker_color="#4a90c2",
               hovertemplate=hover),
        go.Bar(x=labels, y=overdue, name=t("complaints.age.overdue", lang), marker_color=BAD,
               hovertemplate=hover),
    ])
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=1.12, x=0))
    fig.update_yaxes(rangemode="tozero", tickformat=",d", gridcolor=GRID)
    return base_layout(fig, height=height)


def services_figure(services: pd.DataFrame, *, lang: str, height: int = 320) -> go.Figure:
    """我要办 by matter: requests submitted (bars) and on-time rate (dots, right axis)."""
    if services.empty or not services["submitted"].sum():
        return empty_figure(t("common.no_data", lang), height=height)
    frame = services.sort_values("submitted")
    names = [t(f"complaints.matter.{m}", lang) for m in frame["matter"]]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=names, y=frame["submitted"], name=t("complaints.services.submitted", lang),
                         marker_color=PRIMARY, hovertemplate="%{x}: %{y:,d}<extra></extra>"),
                  secondary_y=False)
    rate = pd.to_numeric(frame["on_time_rate"], errors="coerce")
    fig.add_trace(go.Scatter(x=names, y=rate, name=t("complaints.services.on_time", lang), mode="markers",
                             marker=dict(size=11, color=GOOD, symbol="diamond"),
                             hovertemplate="%{x}: %{y:.1%}<extra></extra>"), secondary_y=True)
    fig.update_yaxes(rangemode="tozero", tickformat=",d", gridcolor=GRID, secondary_y=False)
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%", showgrid=False, secondary_y=True)
    fig.update_xaxes(tickangle=-30, tickfont=dict(size=11))
    fig.update_layout(legend=dict(orientation="h", y=1.12, x=0))
    return base_layout(fig, height=height)


def ratings_figure(summary: dict, *, lang: str, height: int = 200) -> go.Figure:
    """Share of ratings 1-5 stars of the requests completed in the period (one stacked bar)."""
    total = summary.get("rated") or 0
    if not total:
        return empty_figure(t("common.no_data", lang), height=height)
    colors = [BAD, "#e67e22", "#f1c40f", "#7fbf7b", GOOD]
    fig = go.Figure([go.Bar(y=[""], x=[summary[f"rating_{s}"] / total], orientation="h",
                            name=t("complaints.services.stars", lang, n=s), marker_color=colors[s - 1],
                            text=[f"{summary[f'rating_{s}'] / total:.0%}"], textposition="inside",
                            hovertemplate=f"{t('complaints.services.stars', lang, n=s)}: %{{x:.1%}}<extra></extra>")
                     for s in (1, 2, 3, 4, 5)])
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=-0.25, x=0), showlegend=True)
    fig.update_xaxes(tickformat=".0%", range=[0, 1], showgrid=False)
    return base_layout(fig, height=height).update_layout(margin=dict(l=8, r=8, t=8, b=8))
