"""Overview charts: the attention-index choropleth and the 12-week trend strip."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from data.calendar import format_week
from figures.geo import LABEL_SIZE, MAP_WIDTH_PX, frame_bounds, geo_layout, label_trace_dict
from figures.theme import BAD_HIGH_SCALE, FONT_FAMILY, PRIMARY, SERIES, base_layout_dict, empty_figure_dict
from i18n import t


@dataclass(frozen=True)
class HoverPart:
    """One line of the map hover: a column, its label key, a d3 number format and the
    catalog key of its unit (an amount says 元)."""
    column: str
    label_key: str
    fmt: str
    unit_key: str | None = None


def attention_map(df: pd.DataFrame, *, geojson_url: str, parts: Sequence[HoverPart], lang: str,
                  height: int = 460, label_size: int = LABEL_SIZE) -> go.Figure:
    """`attention_map_dict` as a go.Figure (built unvalidated: the dict is plotly's own form)."""
    return go.Figure(attention_map_dict(df, geojson_url=geojson_url, parts=parts, lang=lang, height=height,
                                        label_size=label_size), _validate=False)


def attention_map_dict(df: pd.DataFrame, *, geojson_url: str, parts: Sequence[HoverPart], lang: str,
                       height: int = 460, label_size: int = LABEL_SIZE) -> dict:
    """Choropleth of the attention index per child region (data[0]); the hover lists its
    parts. data[1]: the regions' names at the frame's label points (figures/geo.py).

    SVG on a `geo` subplot; geometry is a URL the browser fetches once and caches
    (DESIGN §4), so the figure carries only codes and values. Colour: deeper red = more
    attention needed. A plain figure dict: plotly's validation was most of its time.
    """
    if df.empty:
        return empty_figure_dict(t("common.no_data", lang), height=height)
    custom = df[[p.column for p in parts]].astype(float).to_numpy()
    hover = [f"<b>%{{text}}</b><br>{t('index.attention', lang)}: %{{z:.0f}}"]
    hover += [f"{t(p.label_key, lang)}: %{{customdata[{i}]:{p.fmt}}}{t(p.unit_key, lang) if p.unit_key else ''}"
              for i, p in enumerate(parts)]
    choropleth = {
        "type": "choropleth", "geojson": geojson_url, "featureidkey": "id", "locations": df["code"].tolist(),
        "z": df["attention_index"].astype(float).to_numpy(), "text": df["name"].tolist(), "customdata": custom,
        "hovertemplate": "<br>".join(hover) + "<extra></extra>", "zmin": 0, "zmax": 100,
        "colorscale": BAD_HIGH_SCALE, "marker": {"line": {"width": 0.8, "color": "#ffffff"}},
        "colorbar": {"title": {"text": t("index.attention_short", lang)}, "thickness": 12, "len": 0.7,
                     "tickvals": [0, 50, 100],
                     "ticktext": [t("legend.calm", lang), "50", t("legend.hot", lang)]},
        "name": "attention"}
    labels = label_trace_dict(df, size=label_size, box_px=(MAP_WIDTH_PX, height))
    layout = {**base_layout_dict(height=height), "geo": geo_layout(frame_bounds(df)), "dragmode": "pan",
              "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "showlegend": False}
    return {"data": [choropleth, labels], "layout": layout}


TREND_PANELS = (
    ("complaints_received", "bar", ",.0f"),
    ("on_time_completion_rate", "line", ".1%"),
    ("satisfaction_rate", "line", ".1%"),
    ("new_clues", "bar", ",.0f"),
)


TREND_SPACING = 0.06  # between the small multiples, a fraction of the width


def trend_strip(df: pd.DataFrame, *, lang: str, height: int = 220,
                rate_range: list[float] | None = None) -> go.Figure:
    """`trend_strip_dict` as a go.Figure (built unvalidated: the dict is plotly's own form)."""
    return go.Figure(trend_strip_dict(df, lang=lang, height=height, rate_range=rate_range), _validate=False)


def trend_strip_dict(df: pd.DataFrame, *, lang: str, height: int = 220,
                     rate_range: list[float] | None = None) -> dict:
    """Small multiples of the last weeks: counts as bars, rates as lines (one y each).

    Ticks show the week number (W46); the hover shows the full ISO week. `rate_range`
    fixes the rate panels' axis (e.g. [0, 1] for a village with few cases a week).
    Built from plain dicts, not make_subplots + update calls (their validation was
    most of the callback's time).
    """
    if df.empty:
        return empty_figure_dict(t("common.no_data", lang), height=height)
    weeks = [format_week(int(w)) for w in df["week_key"]]
    short = [w.split("-")[1] for w in weeks]
    n = len(TREND_PANELS)
    width = (1 - TREND_SPACING * (n - 1)) / n
    data: list[dict] = []
    layout: dict[str, object] = {}
    titles: list[dict] = []
    for i, (key, kind, fmt) in enumerate(TREND_PANELS):
        suffix = "" if i == 0 else str(i + 1)
        values = [None if pd.isna(v) else float(v) for v in df[key]]
        data.append({**_trend_trace(kind, weeks, values, SERIES[i], fmt),
                     "xaxis": f"x{suffix}", "yaxis": f"y{suffix}"})
        left = i * (width + TREND_SPACING)
        layout[f"xaxis{suffix}"] = {"anchor": f"y{suffix}", "domain": [left, left + width],
                                    "tickmode": "array", "tickvals": weeks[::3], "ticktext": short[::3],
                                    "tickfont": {"size": 10}}
        yaxis = _trend_yaxis(kind, df[key].astype(float))
        if kind != "bar" and rate_range is not None:
            yaxis["range"] = list(rate_range)
        layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "domain": [0, 1], **yaxis}
        titles.append({"text": t(f"kpi.{key}", lang), "x": left + width / 2, "y": 1.0, "xref": "paper",
                       "yref": "paper", "xanchor": "center", "yanchor": "bottom", "showarrow": False,
                       "font": {"size": 13, "family": FONT_FAMILY, "color": PRIMARY}})
    layout.update(annotations=titles, showlegend=False, bargap=0.25)
    layout.update(base_layout_dict(height=height), margin={"l": 8, "r": 8, "t": 28, "b": 8})
    return {"data": data, "layout": layout}


def _trend_trace(kind: str, weeks: list[str], values: list, color: str, fmt: str) -> dict:
    hover = f"%{{x}}<br>%{{y:{fmt}}}<extra></extra>"
    if kind == "bar":
        return {"type": "bar", "x": weeks, "y": values, "marker": {"color": color}, "hovertemplate": hover}
    return {"type": "scatter", "x": weeks, "y": values, "mode": "lines+markers", "cliponaxis": False,
            "line": {"color": color, "width": 2}, "hovertemplate": hover}


def _trend_yaxis(kind: str, values: pd.Series) -> dict:
    """Counts start at 0 with whole-number ticks; rates show whole percents."""
    if kind == "bar":
        top = float(values.max()) if len(values) and values.notna().any() else 0.0
        return dict(rangemode="tozero", tickformat=",d", gridcolor="#eceff3",
                    dtick=1 if top <= 5 else None)
    return dict(tickformat=".0%", gridcolor="#eceff3")
