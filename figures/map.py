"""Hotspot-map figures: a metric choropleth of child regions, or village points.

Geometry is a URL (`/geo/<parent>/<level>.json`) the browser fetches once and caches, so
a figure carries codes and values only, and a metric or period change patches values
(`metric_values` + `patch_ops`) instead of sending a new figure.

Traces
- regions (city/county/township children): data[0] = the metric choropleth, data[1] =
  grey regions with no value for the metric ("no data").
- villages: data[0] = the township's outline (one feature of the county's township
  layer), data[1] = village points (colour and size = the metric).
The colour scale says which direction is bad: BAD_HIGH_SCALE (deep red = high) for
"higher is worse" metrics, GOOD_HIGH_SCALE (red = low, green = high) otherwise; the
colour bar's end labels read "worse" / "better".
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from data.indicators import INDICATORS
from figures.theme import BAD_HIGH_SCALE, GOOD_HIGH_SCALE, base_layout, empty_figure
from i18n import t
from i18n.numbers import format_value

NO_DATA_COLOR = "#d9dde3"
POINT_SIZE = (9, 30)


def metric_trace_index(level: str | None) -> int:
    """Index of the trace holding the metric values (see the module docstring)."""
    return 1 if level == "village" else 0


def metric_values(df: pd.DataFrame, metric: str, lang: str) -> dict:
    """Everything that changes with the metric/period: values, range, colours, hover.

    Pure data (lists and dicts), used both to build the figure and to patch it.
    """
    info = INDICATORS[metric]
    raw = pd.to_numeric(df[metric], errors="coerce") if metric in df else pd.Series(np.nan, index=df.index)
    values = raw.astype(float)
    have = values.notna()
    if metric == "attention_index":
        zmin, zmax = 0.0, 100.0
    elif info.unit == "rate":
        lo, hi = (values[have].min(), values[have].max()) if have.any() else (0.0, 1.0)
        zmin, zmax = max(0.0, float(lo)), min(1.0, float(hi))
    else:
        zmin, zmax = 0.0, float(values[have].max()) if have.any() else 1.0
    if not zmax > zmin:
        zmax = zmin + (0.01 if info.unit == "rate" else 1.0)
    worse, better = t("map.legend.worse", lang), t("map.legend.better", lang)
    ticktext = [better, worse] if not info.higher_is_better else [worse, better]
    attention = pd.to_numeric(df.get("attention_index"), errors="coerce") if "attention_index" in df else values * np.nan
    text = [format_value(None if math.isnan(v) else v, info.unit, lang) for v in values]
    custom = [[code, txt, "—" if pd.isna(a) else f"{a:.0f}"]
              for code, txt, a in zip(df["code"], text, attention)]
    direction = t("map.legend.high_bad" if not info.higher_is_better else "map.legend.high_good", lang)
    return {
        "z": [None if math.isnan(v) else round(v, 6) for v in values],
        "have": have.tolist(),
        "zmin": zmin, "zmax": zmax,
        "colorscale": BAD_HIGH_SCALE if not info.higher_is_better else GOOD_HIGH_SCALE,
        "colorbar": dict(title=dict(text=f"{t(f'kpi.{metric}', lang)}<br><sub>{direction}</sub>",
                                    side="top"),
                         thickness=12, len=0.75, tickvals=[zmin, zmax], ticktext=ticktext),
        "customdata": custom,
        "hovertemplate": (f"<b>%{{text}}</b><br>{t(f'kpi.{metric}', lang)}: %{{customdata[1]}}"
                          f"<br>{t('index.attention', lang)}: %{{customdata[2]}}"
                          f"<br><i>{t('map.hover.click', lang)}</i><extra></extra>"),
        "sizes": _sizes(values, zmin, zmax, info.higher_is_better),
    }


def _sizes(values: pd.Series, zmin: float, zmax: float, higher_is_better: bool) -> list[float]:
    """Point sizes: bigger = worse, so the eye goes to the problems."""
    span = (zmax - zmin) or 1.0
    out = []
    for v in values:
        if math.isnan(v):
            out.append(7.0)
            continue
        share = (v - zmin) / span
        badness = 1 - share if higher_is_better else share
        out.append(round(POINT_SIZE[0] + (POINT_SIZE[1] - POINT_SIZE[0]) * max(0.0, min(1.0, badness)) ** 0.5, 1))
    return out


def region_map(df: pd.DataFrame, metric: str, *, geojson_url: str, center: dict, zoom: float,
               lang: str, height: int = 520) -> go.Figure:
    """Choropleth of child regions coloured by the metric (data[0]) + no-data (data[1])."""
    if df.empty:
        return empty_figure(t("common.no_data", lang), height=height)
    v = metric_values(df, metric, lang)
    missing = [c for c, ok in zip(df["code"], v["have"]) if not ok]
    names = df["name"].tolist()
    fig = go.Figure([
        go.Choroplethmap(
            geojson=geojson_url, featureidkey="id", locations=df["code"].tolist(), z=v["z"],
            text=names, customdata=v["customdata"], hovertemplate=v["hovertemplate"],
            zmin=v["zmin"], zmax=v["zmax"], colorscale=v["colorscale"], colorbar=v["colorbar"],
            marker=dict(line=dict(width=0.8, color="#ffffff")), name="metric"),
        go.Choroplethmap(
            geojson=geojson_url, featureidkey="id", locations=missing, z=[0] * len(missing),
            colorscale=[[0, NO_DATA_COLOR], [1, NO_DATA_COLOR]], showscale=False,
            hovertemplate=f"%{{location}}: {t('map.no_value', lang)}<extra></extra>",
            marker=dict(line=dict(width=0.8, color="#ffffff")), name="nodata"),
    ])
    fig.update_layout(map=dict(style="white-bg", center=center, zoom=zoom))
    return base_layout(fig, height=height).update_layout(margin=dict(l=0, r=0, t=0, b=0),
                                                         clickmode="event")


def village_points(df: pd.DataFrame, values: dict) -> dict:
    """Per trace (1: villages with a value, 2: without), the point data that changes."""
    have = values["have"]
    def pick(seq, keep):
        return [x for x, ok in zip(seq, have) if ok == keep]
    out = {}
    for trace, keep in ((1, True), (2, False)):
        out[trace] = {"lon": pick(df["lon"].tolist(), keep), "lat": pick(df["lat"].tolist(), keep),
                      "text": pick(df["name"].tolist(), keep),
                      "customdata": pick(values["customdata"], keep)}
    out[1]["color"] = [z for z in values["z"] if z is not None]
    out[1]["size"] = pick(values["sizes"], True)
    return out


def village_map(df: pd.DataFrame, metric: str, *, township_code: str, geojson_url: str,
                center: dict, zoom: float, lang: str, height: int = 520) -> go.Figure:
    """Village points inside the township outline; colour and size by the metric.

    data[0] outline, data[1] villages with a value, data[2] villages without (grey).
    Names are in the hover, not drawn: MapLibre draws map text with glyphs it fetches
    from a font server (the internet), and the intranet has none.
    """
    if df.empty:
        return empty_figure(t("common.no_data", lang), height=height)
    v = metric_values(df, metric, lang)
    pts = village_points(df, v)
    fig = go.Figure([
        go.Choroplethmap(
            geojson=geojson_url, featureidkey="id", locations=[township_code], z=[0],
            colorscale=[[0, "#eef2f7"], [1, "#eef2f7"]], showscale=False, hoverinfo="skip",
            marker=dict(line=dict(width=2, color="#1f4e79")), name="outline"),
        go.Scattermap(
            lon=pts[1]["lon"], lat=pts[1]["lat"], mode="markers", text=pts[1]["text"], customdata=pts[1]["customdata"],
            hovertemplate=v["hovertemplate"],
            marker=dict(size=pts[1]["size"], color=pts[1]["color"], cmin=v["zmin"], cmax=v["zmax"],
                        colorscale=v["colorscale"], colorbar=v["colorbar"], showscale=True,
                        opacity=0.9),
            name="villages"),
        go.Scattermap(
            lon=pts[2]["lon"], lat=pts[2]["lat"], mode="markers", text=pts[2]["text"], customdata=pts[2]["customdata"],
            hovertemplate=v["hovertemplate"], marker=dict(size=7, color=NO_DATA_COLOR),
            name="nodata"),
    ])
    fig.update_layout(map=dict(style="white-bg", center=center, zoom=zoom))
    return base_layout(fig, height=height).update_layout(margin=dict(l=0, r=0, t=0, b=0),
                                                         clickmode="event", showlegend=False)


def patch_ops(level: str | None, values: dict, frame: pd.DataFrame) -> list[tuple[tuple, object]]:
    """(path, value) assignments that turn a drawn map into another metric/period
    (`level`: of the drawn children; None under a village, which draws none).

    Only values: the geometry URL, locations of data[0] and the layout stay.
    """
    codes = frame["code"].tolist()
    i = metric_trace_index(level)
    ops: list[tuple[tuple, object]] = [
        (("data", i, "customdata"), values["customdata"]),
        (("data", i, "hovertemplate"), values["hovertemplate"]),
    ]
    if level == "village":
        pts = village_points(frame, values)
        ops = [(("data", trace, key), pts[trace][key]) for trace in (1, 2)
               for key in ("lon", "lat", "text", "customdata")]
        ops += [(("data", 1, "hovertemplate"), values["hovertemplate"]),
                (("data", 2, "hovertemplate"), values["hovertemplate"]),
                (("data", i, "marker", "color"), pts[1]["color"]),
                (("data", i, "marker", "size"), pts[1]["size"]),
                (("data", i, "marker", "cmin"), values["zmin"]),
                (("data", i, "marker", "cmax"), values["zmax"]),
                (("data", i, "marker", "colorscale"), values["colorscale"]),
                (("data", i, "marker", "colorbar"), values["colorbar"])]
    else:
        missing = [c for c, ok in zip(codes, values["have"]) if not ok]
        ops += [(("data", i, "z"), values["z"]), (("data", i, "zmin"), values["zmin"]),
                (("data", i, "zmax"), values["zmax"]),
                (("data", i, "colorscale"), values["colorscale"]),
                (("data", i, "colorbar"), values["colorbar"]),
                (("data", 1, "locations"), missing), (("data", 1, "z"), [0] * len(missing))]
    return ops
