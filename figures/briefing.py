"""Charts of the weekly briefing (周报), pure plotly from the briefing's frames.

Light theme (they go into documents); every chart is sized for a 16:9 slide and is
exported through exports/images.py. Units are the children of the briefing's region
(counties of a city, townships of a county).
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from data.calendar import format_week
from data.judgement import change_direction
from figures.theme import (
    BAD,
    FONT_FAMILY,
    GOOD,
    NEUTRAL,
    PRIMARY,
    SERIES,
    base_layout,
    base_layout_dict,
    empty_figure,
)
from i18n import t
from i18n.numbers import format_value

SLIDE_SIZE = (900, 500)  # px of a chart on a slide (16:9 slide, text box beside it)
MAX_BARS = 20


def _layout(fig: go.Figure, *, height: int = SLIDE_SIZE[1], **kwargs) -> go.Figure:
    base_layout(fig, height=height)
    fig.update_layout(margin=dict(l=10, r=24, t=30, b=10), font_size=15, **kwargs)
    return fig


def _d3(unit: str) -> str:
    return {"rate": ".1%", "yuan": ",.0f", "per_10k": ",.1f", "index": ",.1f"}.get(unit, ",.0f")


def unit_bars(units: pd.DataFrame, column: str, unit: str, *, lang: str, higher_is_better: bool,
              colours=None, label_key: str | None = None, reference: float | None = None,
              reference_label: str = "") -> go.Figure:
    """Horizontal bars of one measure per unit, worst at the top, each bar in the colour
    its judgement gave it (`colours`, aligned with `units`' rows; data.judgement).
    Built from plain dicts (the briefing and the big screen draw it several times)."""
    if units.empty or column not in units:
        return empty_figure(t("common.no_data", lang), height=SLIDE_SIZE[1])
    frame = units[["name", column]].assign(_colour=list(colours) if colours is not None and len(colours)
                                           else PRIMARY).dropna(subset=[column])
    if frame.empty:
        return empty_figure(t("common.no_data", lang), height=SLIDE_SIZE[1])
    frame = frame.sort_values(column, ascending=higher_is_better, kind="stable").head(MAX_BARS)
    frame = frame.iloc[::-1]  # plotly draws the first row at the bottom: the worst on top
    colors = list(frame["_colour"])
    values = [float(v) for v in frame[column]]
    bar = {"type": "bar", "x": values, "y": list(frame["name"]), "orientation": "h",
           "marker": {"color": colors}, "text": [format_value(v, unit, lang) for v in values],
           "textposition": "outside", "cliponaxis": False,
           "hovertemplate": f"%{{y}}: %{{x:{_d3(unit)}}}<extra></extra>"}
    layout = {**base_layout_dict(height=SLIDE_SIZE[1]), "margin": {"l": 10, "r": 24, "t": 30, "b": 10},
              "showlegend": False,
              "xaxis": {"tickformat": ".0%" if unit == "rate" else ",", "gridcolor": "#eceff3",
                  **({"range": [0, 1]} if unit == "rate" else {}),
                        "title": {"text": t(label_key or f"kpi.{column}", lang)}},
              "yaxis": {"automargin": True, "tickfont": {"size": 13}}}
    layout["font"] = {**layout["font"], "size": 15}
    if reference is not None:
        layout["shapes"] = [{"type": "line", "xref": "x", "yref": "y domain", "x0": reference, "x1": reference,
                             "y0": 0, "y1": 1, "line": {"color": NEUTRAL, "dash": "dash"}}]
        layout["annotations"] = [{"x": reference, "xref": "x", "y": 1, "yref": "y domain", "text": reference_label,
                                  "showarrow": False, "xanchor": "center", "yanchor": "bottom"}]
    return go.Figure({"data": [bar], "layout": layout}, _validate=False)


def service_quality(units: pd.DataFrame, *, lang: str) -> go.Figure:
    """On-time completion and satisfaction rate per unit, grouped bars."""
    cols = ["on_time_completion_rate", "satisfaction_rate"]
    if units.empty:
        return empty_figure(t("common.no_data", lang), height=SLIDE_SIZE[1])
    frame = units.sort_values("on_time_completion_rate", ascending=True, na_position="first").tail(MAX_BARS)
    fig = go.Figure()
    for color, col in zip((SERIES[0], SERIES[2]), cols):
        fig.add_trace(go.Bar(y=frame["name"], x=frame[col], orientation="h", name=t(f"kpi.{col}", lang),
                             marker_color=color,
                             hovertemplate=f"%{{y}}: %{{x:.1%}}<extra>{t(f'kpi.{col}', lang)}</extra>"))
    fig.update_xaxes(tickformat=".0%", gridcolor="#eceff3", range=[0, 1])
    fig.update_yaxes(automargin=True, tickfont=dict(size=13))
    return _layout(fig, barmode="group",
                   legend=dict(orientation="h", x=0, y=1.06, font=dict(size=13)))


def year_on_year(trend: pd.DataFrame, last_year: pd.DataFrame, column: str, unit: str, *, lang: str) -> go.Figure:
    """The last weeks of this year against the same ISO weeks of last year."""
    if trend.empty:
        return empty_figure(t("common.no_data", lang), height=SLIDE_SIZE[1])
    weeks = [format_week(int(w)).split("-")[1] for w in trend["week_key"]]
    fig = go.Figure()
    series = ((last_year, t("briefing.chart.last_year", lang), NEUTRAL, "dot"),
              (trend, t("briefing.chart.this_year", lang), PRIMARY, "solid"))
    for frame, name, color, dash in series:
        if frame.empty:
            continue
        fig.add_trace(go.Scatter(x=weeks, y=frame[column].astype(float), name=name, mode="lines+markers",
                                 line=dict(color=color, width=3, dash=dash),
                                 hovertemplate=f"%{{x}}: %{{y:{_d3(unit)}}}<extra>{name}</extra>"))
    fig.update_yaxes(rangemode="tozero", tickformat=".0%" if unit == "rate" else ",", gridcolor="#eceff3",
                     title=t(f"kpi.{column}", lang))
    return _layout(fig, legend=dict(orientation="h", x=0, y=1.08, font=dict(size=13)))


def kpi_changes(kpis: pd.DataFrame, *, lang: str) -> go.Figure:
    """Week-on-week change of every KPI: green when better for the people, red when worse."""
    frame = kpis.dropna(subset=["change"]) if not kpis.empty else kpis
    if frame.empty:
        return empty_figure(t("common.no_data", lang), height=SLIDE_SIZE[1])
    frame = frame.iloc[::-1]
    labels = [t(f"kpi.{k}", lang) for k in frame["key"]]
    colors, text = [], []
    tone = {"better": GOOD, "worse": BAD}
    for key, change, unit, value, previous in zip(frame["key"], frame["change"], frame["unit"], frame["value"],
                                                  frame["previous"]):
        colors.append(tone.get(change_direction(key, value, previous), NEUTRAL))  # the judgement's direction
        text.append(f"{change:+.1f}" + (t("briefing.chart.points_short", lang) if unit == "rate" else "%"))
    fig = go.Figure(go.Bar(x=frame["change"].astype(float), y=labels, orientation="h", marker_color=colors,
                           text=text, textposition="outside", cliponaxis=False,
                           hovertemplate="%{y}: %{text}<extra></extra>"))
    fig.add_vline(x=0, line=dict(color="#adb5bd"))
    # room on both sides of zero for the labels outside the bars (a label left of a
    # negative bar must not run into the KPI names)
    values = frame["change"].astype(float)
    lo, hi = min(0.0, float(values.min())), max(0.0, float(values.max()))
    pad = 0.25 * ((hi - lo) or 1.0)
    fig.update_xaxes(title=t("briefing.chart.change_axis", lang), gridcolor="#eceff3", zeroline=False,
                     range=[lo - pad, hi + pad])
    fig.update_yaxes(automargin=True, tickfont=dict(size=13))
    return _layout(fig, showlegend=False)


def hotspots(hot: pd.DataFrame, new_codes: set, *, lang: str) -> go.Figure:
    """The hottest townships by attention index; new entries this week in red."""
    if hot.empty:
        return empty_figure(t("common.no_data", lang), height=SLIDE_SIZE[1])
    frame = hot.iloc[::-1]
    labels = [t("common.name_with_parent", lang, name=n, parent=c) if c else n
              for n, c in zip(frame["name"], frame.get("county_name", [""] * len(frame)))]
    colors = [BAD if code in new_codes else PRIMARY for code in frame["code"]]
    fig = go.Figure(go.Bar(x=frame["attention_index"], y=labels, orientation="h", marker_color=colors,
                           text=[f"{v:.0f}" for v in frame["attention_index"]], textposition="outside",
                           cliponaxis=False, hovertemplate="%{y}: %{x:.0f}<extra></extra>"))
    fig.update_xaxes(range=[0, 105], title=t("index.attention", lang), gridcolor="#eceff3")
    fig.update_yaxes(automargin=True, tickfont=dict(size=13))
    fig.add_annotation(text=t("briefing.chart.new_hotspot_legend", lang), x=1, y=0, xref="paper",
                       yref="paper", xanchor="right", yanchor="bottom", showarrow=False,
                       font=dict(color=BAD, size=13, family=FONT_FAMILY))
    return _layout(fig, showlegend=False)


def spikes(frame: pd.DataFrame, *, lang: str) -> go.Figure:
    """Complaints this week against the township's baseline and spike limit (the rule of
    /complaints); bars of townships where the rule fires in red."""
    if frame.empty:
        return empty_figure(t("briefing.chart.no_spikes", lang), height=SLIDE_SIZE[1])
    frame = frame.head(12).iloc[::-1]
    labels = list(frame["label"])
    fig = go.Figure([
        go.Bar(y=labels, x=frame["baseline"], orientation="h", name=t("briefing.chart.baseline", lang),
               marker_color="#adb5bd", hovertemplate="%{y}: %{x:.1f}<extra></extra>"),
        go.Bar(y=labels, x=frame["received"], orientation="h", name=t("briefing.chart.this_week", lang),
               marker_color=[BAD if s else SERIES[2] for s in frame["spike"]],
               hovertemplate="%{y}: %{x:.0f}<extra></extra>"),
        go.Scatter(y=labels, x=frame["limit"], mode="markers", name=t("briefing.chart.limit", lang),
                   marker=dict(symbol="line-ns-open", size=22, color="#343a40", line=dict(width=3, color="#343a40")),
                   hovertemplate="%{y}: %{x:.0f}<extra></extra>"),
    ])
    fig.update_xaxes(title=t("kpi.complaints_received", lang), gridcolor="#eceff3")
    fig.update_yaxes(automargin=True, tickfont=dict(size=13))
    return _layout(fig, barmode="group", legend=dict(orientation="h", x=0, y=1.06, font=dict(size=13)))


def clues(units: pd.DataFrame, *, lang: str) -> go.Figure:
    """New clues per unit (bars) and the amount involved (diamonds, right axis)."""
    frame = units[units["new_clues"] > 0] if not units.empty else units
    if frame.empty:
        return empty_figure(t("briefing.chart.no_clues", lang), height=SLIDE_SIZE[1])
    frame = frame.sort_values(["new_clues", "new_clue_amount"], ascending=False).head(MAX_BARS)
    fig = go.Figure([
        go.Bar(x=frame["name"], y=frame["new_clues"], name=t("kpi.new_clues", lang), marker_color=SERIES[1],
               hovertemplate="%{x}: %{y:,.0f}<extra></extra>"),
        go.Scatter(x=frame["name"], y=frame["new_clue_amount"] / 10000, name=t("briefing.chart.amount_wan", lang),
                   mode="markers", marker=dict(symbol="diamond", size=14, color=SERIES[4]), yaxis="y2",
                   hovertemplate="%{x}: %{y:,.1f}<extra></extra>"),
    ])
    top = float(frame["new_clues"].max())
    fig.update_layout(yaxis=dict(title=t("kpi.new_clues", lang), tickformat=",d", gridcolor="#eceff3",
                                 rangemode="tozero", dtick=1 if top <= 6 else None),
                      yaxis2=dict(title=t("briefing.chart.amount_wan", lang), overlaying="y", side="right",
                                  rangemode="tozero", showgrid=False, tickformat=",~f"))
    fig.update_xaxes(tickangle=-30, tickfont=dict(size=13))
    return _layout(fig, legend=dict(orientation="h", x=0, y=1.08, font=dict(size=13)))
