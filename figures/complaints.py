"""Figures of the complaints page: trend with last year and spikes, funnel, open ages, 我要办.

Pure plotly from DataFrames (no queries, no dash); labels come through i18n.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from data.calendar import format_week
from figures.theme import BAD, FONT_FAMILY, GOOD, NEUTRAL, PRIMARY, SERIES, base_layout, empty_figure
from i18n import t

MAX_SERIES = 7  # breakdown lines shown; the rest are summed into "other"
GRID = "#eceff3"
SPIKE_MARKER = dict(symbol="triangle-up", size=11, color=BAD, line=dict(color="#fff", width=1))
UNIT_SPIKE_MARKER = dict(symbol="diamond-open", size=13, color=BAD, line=dict(color=BAD, width=2))


def _weeks(keys) -> list[str]:
    return [format_week(int(w)) for w in keys]


@lru_cache(maxsize=1)
def _base() -> dict:
    """The shared base layout (figures.theme.base_layout) as a plain dict, built once."""
    return base_layout(go.Figure()).to_plotly_json()["layout"]


def _figure(data: list[dict], layout: dict, height: int, margin: dict | None = None) -> go.Figure:
    """A figure from plain dicts without plotly's per-property validation or update calls
    (10-50x faster; the dicts here are fixed by this module), on the shared base layout."""
    merged = {**_base(), **layout, "height": height}
    if margin:
        merged["margin"] = margin
    return go.Figure({"data": data, "layout": merged}, _validate=False)


def unit_spike_trace(unit_spikes: pd.DataFrame, lang: str) -> dict:
    """Open red diamonds at the weeks of the listed hotspots whose own line the trend
    does not draw (`unit_spikes`: week_key, names), without y: the page places them on
    the drawn total line (callbacks/complaints.py, trend_with_marks)."""
    name = t("complaints.trend.unit_spike", lang)
    return {"type": "scatter", "x": [format_week(int(w)) for w in unit_spikes["week_key"]],
            "text": list(unit_spikes["names"]), "mode": "markers", "name": name,
            "legendgroup": "unit_spike", "marker": {**UNIT_SPIKE_MARKER},
            "hovertemplate": f"{name}<br>%{{x}}: %{{text}}<extra></extra>", "xaxis": "x", "yaxis": "y"}


def trend_figure(weekly: pd.DataFrame, totals: pd.DataFrame, spikes: pd.DataFrame, *,
                 labels: dict, lang: str, height: int = 460) -> go.Figure:
    """Two panels over the same weeks.

    Top: the region's total received per week, solid, and the same ISO weeks a year
    earlier, dashed (`totals`: week_key, received, last_year). Bottom: one line per
    breakdown key (`weekly`: week_key, key, received; the largest MAX_SERIES - 1 keys,
    the rest summed as "other"). Spike weeks (`spikes`: key, week_key, count; key
    "__total__" for the top panel) are red triangles on their line; the total line has
    meta "total" (the page puts unit_spike_trace's marks on it).
    """
    if totals.empty or (float(totals["received"].sum()) == 0 and float(totals["last_year"].sum()) == 0):
        return empty_figure(t("common.no_data", lang), height=height)
    weeks = _weeks(totals["week_key"])
    hover = "%{x}<br>%{fullData.name}: %{y:,d}<extra></extra>"

    def line(y, name, color, width, axis, dash=None, group=None):
        trace = {"type": "scatter", "x": weeks, "y": [float(v) for v in y], "name": name, "mode": "lines",
                 "line": {"color": color, "width": width}, "hovertemplate": hover,
                 "xaxis": "x" if axis == 1 else "x2", "yaxis": "y" if axis == 1 else "y2"}
        if dash:
            trace["line"]["dash"] = dash
        if group:
            trace["legendgroup"] = group
        return trace
    data = [line(totals["last_year"], t("complaints.trend.last_year", lang), NEUTRAL, 1.6, 1, "dash", "total"),
            {**line(totals["received"], t("complaints.trend.this_year", lang), PRIMARY, 2.4, 1, None, "total"),
             "meta": "total"}]  # the line unit spikes are placed on (also in the browser)
    wide = _wide(weekly, totals["week_key"])
    for i, key in enumerate(wide.columns):
        data.append(line(wide[key], labels.get(key, str(key)), SERIES[i % len(SERIES)], 1.6, 2))
    spikes = spikes if spikes is not None else pd.DataFrame(columns=["key", "week_key", "count"])
    rows = [(r.key, int(r.week_key), float(r.count)) for r in spikes.itertuples()]
    top = [(w, c, "") for k, w, c in rows if k == "__total__"]
    low = [(w, c, k) for k, w, c in rows if k != "__total__" and k in wide.columns]
    name = t("complaints.trend.spike", lang)
    for axis, points in ((1, top), (2, low)):
        if points:
            data.append({"type": "scatter", "x": [format_week(w) for w, _, _ in points],
                         "y": [c for _, c, _ in points], "text": [labels.get(k, str(k)) for _, _, k in points],
                         "mode": "markers", "name": name, "marker": SPIKE_MARKER, "legendgroup": "spike",
                         "showlegend": axis == 1 or not top,
                         "hovertemplate": f"{name}<br>%{{x}} %{{text}}: %{{y:,d}}<extra></extra>",
                         "xaxis": "x" if axis == 1 else "x2", "yaxis": "y" if axis == 1 else "y2"})
    step = max(1, len(weeks) // 12)
    ticks = {"tickmode": "array", "tickvals": weeks[::step], "ticktext": [w.replace("-", " ") for w in weeks[::step]],
             "tickfont": {"size": 10}}
    yaxis = {"rangemode": "tozero", "tickformat": ",d", "gridcolor": GRID}
    title_font = {"size": 13, "family": FONT_FAMILY, "color": PRIMARY}
    layout = {
        "xaxis": {**ticks, "anchor": "y", "matches": "x2", "showticklabels": False, "domain": [0, 1]},
        "yaxis": {**yaxis, "domain": [0.6, 0.94]},
        "xaxis2": {**ticks, "anchor": "y2", "domain": [0, 1]},
        "yaxis2": {**yaxis, "domain": [0, 0.46]},
        "annotations": [
            {"text": t("complaints.trend.total_panel", lang), "x": 0, "y": 1.0, "xref": "paper", "yref": "paper",
             "xanchor": "left", "yanchor": "top", "showarrow": False, "font": title_font},
            {"text": t("complaints.trend.breakdown_panel", lang), "x": 0, "y": 0.53, "xref": "paper",
             "yref": "paper", "xanchor": "left", "yanchor": "top", "showarrow": False, "font": title_font}],
        "legend": {"orientation": "h", "y": -0.08, "x": 0, "font": {"size": 11}},
        "hovermode": "closest",
    }
    return _figure(data, layout, height, margin=dict(l=8, r=8, t=8, b=8))


def _wide(weekly: pd.DataFrame, week_keys) -> pd.DataFrame:
    """Weeks x keys, the largest keys kept and the rest summed as "__other__"."""
    weeks = list(week_keys)
    if weekly.empty:
        return pd.DataFrame(index=weeks)
    keys, key_idx = np.unique(weekly["key"].astype(str).to_numpy(), return_inverse=True)
    pos = {w: i for i, w in enumerate(weeks)}
    week_idx = np.array([pos.get(int(w), -1) for w in weekly["week_key"]])
    ok = week_idx >= 0
    grid = np.zeros((len(weeks), len(keys)))
    np.add.at(grid, (week_idx[ok], key_idx[ok]), weekly["received"].to_numpy(dtype=float)[ok])
    wide = pd.DataFrame(grid, index=weeks, columns=keys)
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
    data = [{"type": "funnel", "y": [t(f"complaints.funnel.{stage}", lang) for stage, _ in funnel],
             "x": [float(v) for _, v in funnel],
             # full counts with thousands separators (the default "39.9k" reads badly in Chinese)
             "texttemplate": "%{value:,d}<br>%{percentInitial:.0%}",
             "marker": {"color": [PRIMARY, "#2e6da4", "#4a90c2", GOOD]},
             "hovertemplate": "%{y}: %{x:,d}<extra></extra>"}]
    return _figure(data, {}, height, margin=dict(l=8, r=8, t=8, b=8))


def age_figure(ages: pd.DataFrame, *, lang: str, height: int = 240) -> go.Figure:
    """Open complaints by age band: not yet due and overdue, stacked."""
    if ages.empty or not ages["open"].sum():
        return empty_figure(t("complaints.open.none", lang), height=height)
    labels = [t(f"complaints.age.{band}", lang) for band in ages["band"]]
    overdue = [float(v) for v in ages["overdue"]]
    pending = [float(o) - d for o, d in zip(ages["open"], overdue)]
    hover = "%{x}<br>%{fullData.name}: %{y:,d}<extra></extra>"
    data = [{"type": "bar", "x": labels, "y": pending, "name": t("complaints.age.not_due", lang),
             "marker": {"color": "#4a90c2"}, "hovertemplate": hover},
            {"type": "bar", "x": labels, "y": overdue, "name": t("complaints.age.overdue", lang),
             "marker": {"color": BAD}, "hovertemplate": hover}]
    layout = {"barmode": "stack", "legend": {"orientation": "h", "y": 1.12, "x": 0},
              "yaxis": {"rangemode": "tozero", "tickformat": ",d", "gridcolor": GRID}}
    return _figure(data, layout, height)


def services_figure(services: pd.DataFrame, *, lang: str, height: int = 320) -> go.Figure:
    """我要办 by matter: requests submitted (bars) and on-time rate (dots, right axis)."""
    if services.empty or not services["submitted"].sum():
        return empty_figure(t("common.no_data", lang), height=height)
    frame = services.sort_values("submitted")
    names = [t(f"complaints.matter.{m}", lang) for m in frame["matter"]]
    rate = [None if pd.isna(v) else float(v) for v in pd.to_numeric(frame["on_time_rate"], errors="coerce")]
    data: list[dict]  # a bar and a scatter trace (their dicts differ)
    data = [{"type": "bar", "x": names, "y": [float(v) for v in frame["submitted"]],
             "name": t("complaints.services.submitted", lang), "marker": {"color": PRIMARY},
             "hovertemplate": "%{x}: %{y:,d}<extra></extra>"},
            {"type": "scatter", "x": names, "y": rate, "name": t("complaints.services.on_time", lang),
             "mode": "markers", "marker": {"size": 11, "color": GOOD, "symbol": "diamond"}, "yaxis": "y2",
             "hovertemplate": "%{x}: %{y:.1%}<extra></extra>"}]
    layout = {"yaxis": {"rangemode": "tozero", "tickformat": ",d", "gridcolor": GRID},
              "yaxis2": {"range": [0, 1], "tickformat": ".0%", "showgrid": False, "overlaying": "y",
                         "side": "right"},
              "xaxis": {"tickangle": -30, "tickfont": {"size": 11}},
              "legend": {"orientation": "h", "y": 1.12, "x": 0}}
    return _figure(data, layout, height)


def ratings_figure(summary: dict, *, lang: str, height: int = 200) -> go.Figure:
    """Share of ratings 1-5 stars of the requests completed in the period (one stacked bar)."""
    total = summary.get("rated") or 0
    if not total:
        return empty_figure(t("common.no_data", lang), height=height)
    colors = [BAD, "#e67e22", "#f1c40f", "#7fbf7b", GOOD]
    data: list[dict] = []
    for stars in (1, 2, 3, 4, 5):
        share = float(summary[f"rating_{stars}"]) / total
        name = t("complaints.services.stars", lang, n=stars)
        data.append({"type": "bar", "y": [""], "x": [share], "orientation": "h", "name": name,
                     "marker": {"color": colors[stars - 1]}, "text": [f"{share:.0%}" if share >= 0.06 else ""],
                     "textposition": "inside", "hovertemplate": f"{name}: %{{x:.1%}}<extra></extra>"})
    layout = {"barmode": "stack", "legend": {"orientation": "h", "y": -0.25, "x": 0, "traceorder": "normal"},
              "showlegend": True, "xaxis": {"tickformat": ".0%", "range": [0, 1], "showgrid": False}}
    return _figure(data, layout, height, margin=dict(l=8, r=8, t=8, b=8))
