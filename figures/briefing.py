"""Charts of the weekly briefing (周报), plotly figure dicts from the briefing's frames.

Light theme (they go into documents); every chart is sized for a 16:9 slide and is
exported through exports/images.py. Units are the children of the briefing's region
(counties of a city, townships of a county).

Plain dicts, never go.Figure: plotly's validation of every property was most of the
preview callback's time (issue #16); tests compare them with what go.Figure would give.
"""
from __future__ import annotations

import pandas as pd

from data.calendar import format_week
from data.judgement import change_direction
from figures.theme import (
    BAD,
    FONT_FAMILY,
    GOOD,
    NEUTRAL,
    PRIMARY,
    SERIES,
    base_layout_dict,
    empty_figure_dict,
)
from i18n import t
from i18n.numbers import format_value

SLIDE_SIZE = (900, 500)  # px of a chart on a slide (16:9 slide, text box beside it)
MAX_BARS = 20
GRID = "#eceff3"


def _layout(*, height: int = SLIDE_SIZE[1], **kwargs) -> dict:
    """The slides' layout dict: the theme's, larger type, room for outside labels."""
    layout = {**base_layout_dict(height=height), "margin": {"l": 10, "r": 24, "t": 30, "b": 10}, **kwargs}
    layout["font"] = {**layout["font"], "size": 15}
    return layout


def _figure(data: list[dict], **layout) -> dict:
    return {"data": data, "layout": _layout(**layout)}


def _empty(message: str) -> dict:
    return empty_figure_dict(message, height=SLIDE_SIZE[1])


def _floats(values) -> list:
    """Plain floats for a trace (None where missing: JSON has no NaN)."""
    return [None if v is None or pd.isna(v) else float(v) for v in values]


def _legend(y: float) -> dict:
    return {"orientation": "h", "x": 0, "y": y, "font": {"size": 13}}


def _names_axis() -> dict:
    return {"automargin": True, "tickfont": {"size": 13}}


def _d3(unit: str) -> str:
    return {"rate": ".1%", "yuan": ",.0f", "per_10k": ",.1f", "index": ",.1f"}.get(unit, ",.0f")


def unit_bars(units: pd.DataFrame, column: str, unit: str, *, lang: str, higher_is_better: bool,
              colours=None, label_key: str | None = None, reference: float | None = None,
              reference_label: str = "") -> dict:
    """Horizontal bars of one measure per unit, worst at the top, each bar in the colour
    its judgement gave it (`colours`, aligned with `units`' rows; data.judgement)."""
    if units.empty or column not in units:
        return _empty(t("common.no_data", lang))
    frame = units[["name", column]].assign(_colour=list(colours) if colours is not None and len(colours)
                                           else PRIMARY).dropna(subset=[column])
    if frame.empty:
        return _empty(t("common.no_data", lang))
    frame = frame.sort_values(column, ascending=higher_is_better, kind="stable").head(MAX_BARS)
    frame = frame.iloc[::-1]  # plotly draws the first row at the bottom: the worst on top
    values = [float(v) for v in frame[column]]
    bar = {"type": "bar", "x": values, "y": list(frame["name"]), "orientation": "h",
           "marker": {"color": list(frame["_colour"])}, "text": [format_value(v, unit, lang) for v in values],
           "textposition": "outside", "cliponaxis": False,
           "hovertemplate": f"%{{y}}: %{{x:{_d3(unit)}}}<extra></extra>"}
    xaxis = {"tickformat": ".0%" if unit == "rate" else ",", "gridcolor": GRID,
             **({"range": [0, 1]} if unit == "rate" else {}), "title": {"text": t(label_key or f"kpi.{column}", lang)}}
    layout: dict = {"showlegend": False, "xaxis": xaxis, "yaxis": _names_axis()}
    if reference is not None:
        layout["shapes"] = [{"type": "line", "xref": "x", "yref": "y domain", "x0": reference, "x1": reference,
                             "y0": 0, "y1": 1, "line": {"color": NEUTRAL, "dash": "dash"}}]
        layout["annotations"] = [{"x": reference, "xref": "x", "y": 1, "yref": "y domain", "text": reference_label,
                                  "showarrow": False, "xanchor": "center", "yanchor": "bottom"}]
    return _figure([bar], **layout)


def service_quality(units: pd.DataFrame, *, lang: str) -> dict:
    """On-time completion and satisfaction rate per unit, grouped bars."""
    cols = ["on_time_completion_rate", "satisfaction_rate"]
    if units.empty:
        return _empty(t("common.no_data", lang))
    frame = units.sort_values("on_time_completion_rate", ascending=True, na_position="first").tail(MAX_BARS)
    names = list(frame["name"])
    data = [{"type": "bar", "y": names, "x": _floats(frame[col]), "orientation": "h", "name": t(f"kpi.{col}", lang),
             "marker": {"color": color},
             "hovertemplate": f"%{{y}}: %{{x:.1%}}<extra>{t(f'kpi.{col}', lang)}</extra>"}
            for color, col in zip((SERIES[0], SERIES[2]), cols)]
    return _figure(data, xaxis={"tickformat": ".0%", "gridcolor": GRID, "range": [0, 1]}, yaxis=_names_axis(),
                   barmode="group", legend=_legend(1.06))


def year_on_year(trend: pd.DataFrame, last_year: pd.DataFrame, column: str, unit: str, *, lang: str) -> dict:
    """The last weeks of this year against the same ISO weeks of last year."""
    if trend.empty:
        return _empty(t("common.no_data", lang))
    weeks = [format_week(int(w)).split("-")[1] for w in trend["week_key"]]
    series = ((last_year, t("briefing.chart.last_year", lang), NEUTRAL, "dot"),
              (trend, t("briefing.chart.this_year", lang), PRIMARY, "solid"))
    data = [{"type": "scatter", "x": weeks, "y": _floats(frame[column]), "name": name, "mode": "lines+markers",
             "line": {"color": color, "width": 3, "dash": dash},
             "hovertemplate": f"%{{x}}: %{{y:{_d3(unit)}}}<extra>{name}</extra>"}
            for frame, name, color, dash in series if not frame.empty]
    yaxis = {"rangemode": "tozero", "tickformat": ".0%" if unit == "rate" else ",", "gridcolor": GRID,
             "title": {"text": t(f"kpi.{column}", lang)}}
    return _figure(data, yaxis=yaxis, legend=_legend(1.08))


def kpi_changes(kpis: pd.DataFrame, *, lang: str) -> dict:
    """Week-on-week change of every KPI: green when better for the people, red when worse."""
    frame = kpis.dropna(subset=["change"]) if not kpis.empty else kpis
    if frame.empty:
        return _empty(t("common.no_data", lang))
    frame = frame.iloc[::-1]
    labels = [t(f"kpi.{k}", lang) for k in frame["key"]]
    colors, text = [], []
    tone = {"better": GOOD, "worse": BAD}
    for key, change, unit, value, previous in zip(frame["key"], frame["change"], frame["unit"], frame["value"],
                                                  frame["previous"]):
        colors.append(tone.get(change_direction(key, value, previous), NEUTRAL))  # the judgement's direction
        text.append(f"{change:+.1f}" + (t("briefing.chart.points_short", lang) if unit == "rate" else "%"))
    values = _floats(frame["change"])
    bar = {"type": "bar", "x": values, "y": labels, "orientation": "h", "marker": {"color": colors},
           "text": text, "textposition": "outside", "cliponaxis": False,
           "hovertemplate": "%{y}: %{text}<extra></extra>"}
    zero = {"type": "line", "x0": 0, "x1": 0, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
            "line": {"color": "#adb5bd"}}
    # room on both sides of zero for the labels outside the bars (a label left of a
    # negative bar must not run into the KPI names)
    lo, hi = min(0.0, *values), max(0.0, *values)
    pad = 0.25 * ((hi - lo) or 1.0)
    xaxis = {"title": {"text": t("briefing.chart.change_axis", lang)}, "gridcolor": GRID, "zeroline": False,
             "range": [lo - pad, hi + pad]}
    return _figure([bar], shapes=[zero], xaxis=xaxis, yaxis=_names_axis(), showlegend=False)


def hotspots(hot: pd.DataFrame, new_codes: set, *, lang: str) -> dict:
    """The hottest townships by attention index; new entries this week in red."""
    if hot.empty:
        return _empty(t("common.no_data", lang))
    frame = hot.iloc[::-1]
    labels = [t("common.name_with_parent", lang, name=n, parent=c) if c else n
              for n, c in zip(frame["name"], frame.get("county_name", [""] * len(frame)))]
    values = _floats(frame["attention_index"])
    bar = {"type": "bar", "x": values, "y": labels, "orientation": "h",
           "marker": {"color": [BAD if code in new_codes else PRIMARY for code in frame["code"]]},
           "text": [f"{v:.0f}" for v in values], "textposition": "outside", "cliponaxis": False,
           "hovertemplate": "%{y}: %{x:.0f}<extra></extra>"}
    legend = {"text": t("briefing.chart.new_hotspot_legend", lang), "x": 1, "y": 0, "xref": "paper",
              "yref": "paper", "xanchor": "right", "yanchor": "bottom", "showarrow": False,
              "font": {"color": BAD, "size": 13, "family": FONT_FAMILY}}
    return _figure([bar], xaxis={"range": [0, 105], "title": {"text": t("index.attention", lang)}, "gridcolor": GRID},
                   yaxis=_names_axis(), annotations=[legend], showlegend=False)


def spikes(frame: pd.DataFrame, *, lang: str) -> dict:
    """Complaints this week against the township's baseline and spike limit (the rule of
    /complaints); bars of townships where the rule fires in red."""
    if frame.empty:
        return _empty(t("briefing.chart.no_spikes", lang))
    frame = frame.head(12).iloc[::-1]
    labels = list(frame["label"])
    data = [
        {"type": "bar", "y": labels, "x": _floats(frame["baseline"]), "orientation": "h",
         "name": t("briefing.chart.baseline", lang), "marker": {"color": "#adb5bd"},
         "hovertemplate": "%{y}: %{x:.1f}<extra></extra>"},
        {"type": "bar", "y": labels, "x": _floats(frame["received"]), "orientation": "h",
         "name": t("briefing.chart.this_week", lang),
         "marker": {"color": [BAD if s else SERIES[2] for s in frame["spike"]]},
         "hovertemplate": "%{y}: %{x:.0f}<extra></extra>"},
        {"type": "scatter", "y": labels, "x": _floats(frame["limit"]), "mode": "markers",
         "name": t("briefing.chart.limit", lang),
         "marker": {"symbol": "line-ns-open", "size": 22, "color": "#343a40", "line": {"width": 3, "color": "#343a40"}},
         "hovertemplate": "%{y}: %{x:.0f}<extra></extra>"},
    ]
    return _figure(data, xaxis={"title": {"text": t("kpi.complaints_received", lang)}, "gridcolor": GRID},
                   yaxis=_names_axis(), barmode="group", legend=_legend(1.06))


def clues(units: pd.DataFrame, *, lang: str) -> dict:
    """New clues per unit (bars) and the amount involved (diamonds, right axis)."""
    frame = units[units["new_clues"] > 0] if not units.empty else units
    if frame.empty:
        return _empty(t("briefing.chart.no_clues", lang))
    frame = frame.sort_values(["new_clues", "new_clue_amount"], ascending=False).head(MAX_BARS)
    names = list(frame["name"])
    data = [
        {"type": "bar", "x": names, "y": _floats(frame["new_clues"]), "name": t("kpi.new_clues", lang),
         "marker": {"color": SERIES[1]}, "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>"},
        {"type": "scatter", "x": names, "y": _floats(frame["new_clue_amount"] / 10000),
         "name": t("briefing.chart.amount_wan", lang), "mode": "markers",
         "marker": {"symbol": "diamond", "size": 14, "color": SERIES[4]}, "yaxis": "y2",
         "hovertemplate": "%{x}: %{y:,.1f}<extra></extra>"},
    ]
    top = float(frame["new_clues"].max())
    yaxis = {"title": {"text": t("kpi.new_clues", lang)}, "tickformat": ",d", "gridcolor": GRID,
             "rangemode": "tozero", **({"dtick": 1} if top <= 6 else {})}
    yaxis2 = {"title": {"text": t("briefing.chart.amount_wan", lang)}, "overlaying": "y", "side": "right",
              "rangemode": "tozero", "showgrid": False, "tickformat": ",~f"}
    return _figure(data, yaxis=yaxis, yaxis2=yaxis2, xaxis={"tickangle": -30, "tickfont": {"size": 13}},
                   legend=_legend(1.08))
