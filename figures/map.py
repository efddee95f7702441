"""Hotspot-map figures: a metric choropleth of child regions, or village points.

Drawn as SVG on a plotly `geo` subplot (figures/geo.py: no WebGL, nothing fetched), with
the regions' names on the map. Geometry is a URL (`/geo/<parent>/<level>.json`) the
browser fetches once and caches, so a figure carries codes and values only, and a metric
or period change patches values (`metric_values` + `patch_ops`) instead of sending a new
figure.

Traces
- regions (city/county/township children): data[0] = the metric choropleth, data[1] =
  grey regions with no value for the metric ("no data"), data[2] = every child's name
  at its label point (the frame's place columns, figures/geo.py; not patched: names stay).
- villages: data[0] = the township's outline (one feature of the county's township
  layer), data[1] = village points (colour and size = the metric), data[2] = villages
  without a value; a township of up to VILLAGE_NAMES_MAX villages also shows their names
  beside the points, a larger one only in the hover.
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
from data.judgement import (
    GOOD,
    PROBLEM,
    WATCH,
    Context,
    Judgement,
    colours_for,
    judge_frame,
    judgement_of,
    problem_line,
    sentence_value,
    verdicts,
)
from figures.geo import (
    LABEL_COLOR,
    LABEL_HALO,
    LABEL_SIZE,
    MAP_WIDTH_PX,
    frame_bounds,
    geo_map_layout,
    label_trace,
)
from figures.theme import BAD_HIGH_SCALE, FONT_FAMILY, GOOD_HIGH_SCALE, base_layout, empty_figure
from i18n import t
from i18n.numbers import format_value

NO_DATA_COLOR = "#d9dde3"
POINT_SIZE = (9, 30)
VILLAGE_NAMES_MAX = 30  # more villages than this in a township: names in the hover only


def metric_trace_index(level: str | None) -> int:
    """Index of the trace holding the metric values (see the module docstring)."""
    return 1 if level == "village" else 0


def metric_values(df: pd.DataFrame, metric: str, lang: str, context: Context | None = None) -> dict:
    """Everything that changes with the metric/period: values, range, colours, hover.

    Pure data (lists and dicts), used both to build the figure and to patch it. Colours
    come from the metric's judgement (data.judgement) against `context` (the week, and the
    drawn regions as peers): a stepped scale whose steps are its bands, so a value better
    than its benchmark is never drawn in a problem colour; a value on too few cases is
    drawn grey with the regions without a value. An unjudged metric keeps a continuous scale.
    """
    info = INDICATORS[metric]
    context = context or Context(peers=df)
    raw = pd.to_numeric(df[metric], errors="coerce") if metric in df else pd.Series(np.nan, index=df.index)
    values = raw.astype(float)
    judged = judge_frame(df, metric, context) if len(df) else pd.DataFrame({"why": []})
    small = (judged["why"] == "small_sample").to_numpy() if len(df) else np.zeros(0, dtype=bool)
    values = values.where(~small)
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
    found = verdicts(df, metric, context) if len(df) else []
    text = [sentence_value(v, lang) for v in found]
    custom = [[code, txt, "—" if pd.isna(a) else f"{a:.0f}"]
              for code, txt, a in zip(df["code"], text, attention)]
    direction = t("map.legend.high_bad" if not info.higher_is_better else "map.legend.high_good", lang)
    colorscale = BAD_HIGH_SCALE if not info.higher_is_better else GOOD_HIGH_SCALE
    colorbar = dict(title=dict(text=f"{t(f'kpi.{metric}', lang)}<br><sub>{direction}</sub>", side="top"),
                    thickness=12, len=0.75, tickvals=[zmin, zmax], ticktext=ticktext)
    j = judgement_of(metric, context.table)
    bench = context.benchmark(metric) if j.benchmark in ("time_progress", "peers") else j.level
    if j.unit == "index" and j.level is not None:  # the heat scale, with the index's watch and problem lines
        lines = [j.level, problem_line(j)]
        colorbar["tickvals"] = [zmin, *lines, zmax]
        colorbar["ticktext"] = [ticktext[0], *(f"{t(f'judge.level.{lvl}', lang)} {v:g}"
                                               for lvl, v in zip((WATCH, PROBLEM), lines)), ticktext[1]]
    steps = judged_steps(j, bench, lang)
    z = [None if math.isnan(v) else round(v, 6) for v in values]
    sizes = _sizes(values, zmin, zmax, info.higher_is_better)
    if steps is not None and len(df):  # each region drawn in the colour of its verdict's band
        order = {band: i for i, band in enumerate(steps["bands"])}
        z = [None if math.isnan(v) or band not in order else float(order[band])
             for v, band in zip(values, judged["band"])]
        zmin, zmax = 0.0, float(len(steps["bands"]) - 1)
        colorscale = steps["colorscale"]
        colorbar = dict(title=dict(text=f"{t(f'kpi.{metric}', lang)}<br><sub>{steps['note']}</sub>", side="top"),
                        thickness=12, len=0.75, tickvals=list(range(len(steps["bands"]))), ticktext=steps["labels"])
        sizes = [7.0 if v is None else round(POINT_SIZE[0] + (POINT_SIZE[1] - POINT_SIZE[0]) * (v / (zmax or 1)) ** 0.5, 1)
                 for v in z]
        have = pd.Series([v is not None for v in z], index=df.index)
    hover = [f"<b>%{{text}}</b><br>{t(f'kpi.{metric}', lang)}: %{{customdata[1]}}"]
    if metric != "attention_index":  # else the same line twice
        hover.append(f"{t('index.attention', lang)}: %{{customdata[2]}}")
    return {
        "z": z,
        "have": have.tolist(),
        "zmin": zmin, "zmax": zmax,
        "colorscale": colorscale,
        "colorbar": colorbar,
        "customdata": custom,
        "hovertemplate": "<br>".join(hover) + f"<br><i>{t('map.hover.click', lang)}</i><extra></extra>",
        "sizes": sizes,
    }


def judged_steps(j: Judgement, bench: float | None, lang: str) -> dict | None:
    """The judgement's bands as a discrete colour scale, good first and worst last: each
    region is drawn at its band's index, so its colour is its verdict's (no value sits on a
    boundary between two colours). Labels: the band's level and its value range; the note
    names the benchmark. None for an unjudged metric, the relative index, or no benchmark."""
    if j.benchmark == "none" or bench is None or not j.bands or j.unit == "index":
        return None
    bands = [GOOD, *[band for band, _, _ in reversed(j.bands)]]
    levels = {GOOD: GOOD, **{band: level for band, _, level in j.bands}}
    colours = colours_for(pd.DataFrame({"band": bands, "level": [levels[b] for b in bands]}), j)
    n = len(bands)
    scale: list[list] = []
    for i, colour in enumerate(colours):
        scale += [[i / n, colour], [(i + 1) / n, colour]]
    edges = {band: _edge(j, bench, start) for band, start, _ in j.bands}
    starts = [edges[b] for b in bands[1:]]
    labels = []
    for i, band in enumerate(bands):
        word = t(f"judge.band.{band}", lang)
        if j.benchmark == "zero":  # nothing, or anything at all
            labels.append(t("judge.range.zero" if i == 0 else "judge.range.some", lang, word=word))
        elif i == 0:
            limit = format_value(starts[0], j.unit, lang) if starts else ""
            labels.append(t(f"judge.range.good_{'high' if j.higher_is_better else 'low'}", lang, word=word, v=limit))
        else:
            labels.append(t(f"judge.range.bad_{'high' if j.higher_is_better else 'low'}", lang, word=word,
                            v=format_value(edges[band], j.unit, lang)))
    note = t(f"judge.benchmark.{j.benchmark}", lang)
    if j.benchmark in ("time_progress", "peers"):
        note = f"{note} {format_value(bench, j.unit, lang)}"
    elif j.level is not None:
        note = f"{note} {format_value(j.level, j.unit, lang)}"
    return {"bands": bands, "colorscale": scale, "labels": labels, "note": note}


def _edge(j: Judgement, bench: float, start: float) -> float:
    """The value at which a band starting `start` beyond the benchmark begins."""
    if j.benchmark == "peers":
        return bench * (1 + start)
    return bench - start if j.higher_is_better else bench + start


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


def region_map(df: pd.DataFrame, metric: str, *, geojson_url: str, lang: str, height: int = 520,
               label_size: int = LABEL_SIZE, context: Context | None = None) -> go.Figure:
    """Choropleth of child regions coloured by the metric (data[0]) + no-data (data[1])
    + their names (data[2], at the frame's label points)."""
    if df.empty:
        return empty_figure(t("common.no_data", lang), height=height)
    v = metric_values(df, metric, lang, context)
    missing = [c for c, ok in zip(df["code"], v["have"]) if not ok]
    names = df["name"].tolist()
    fig = go.Figure([
        go.Choropleth(
            geojson=geojson_url, featureidkey="id", locations=df["code"].tolist(), z=v["z"],
            text=names, customdata=v["customdata"], hovertemplate=v["hovertemplate"],
            zmin=v["zmin"], zmax=v["zmax"], colorscale=v["colorscale"], colorbar=v["colorbar"],
            marker=dict(line=dict(width=0.8, color="#ffffff")), name="metric"),
        go.Choropleth(
            geojson=geojson_url, featureidkey="id", locations=missing, z=[0] * len(missing),
            colorscale=[[0, NO_DATA_COLOR], [1, NO_DATA_COLOR]], showscale=False,
            hovertemplate=f"%{{location}}: {t('map.no_value', lang)}<extra></extra>",
            marker=dict(line=dict(width=0.8, color="#ffffff")), name="nodata"),
        label_trace(df, size=label_size, box_px=(MAP_WIDTH_PX, height)),
    ])
    return _map_layout(fig, height, frame_bounds(df))


def _map_layout(fig: go.Figure, height: int, bounds) -> go.Figure:
    fig = base_layout(geo_map_layout(fig, bounds), height=height)
    return fig.update_layout(margin=dict(l=0, r=0, t=0, b=0), clickmode="event", showlegend=False)


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
                lang: str, bounds: tuple[float, float, float, float] | None = None,
                height: int = 520, label_size: int = LABEL_SIZE - 1,
                context: Context | None = None) -> go.Figure:
    """Village points inside the township outline; colour and size by the metric.

    data[0] outline, data[1] villages with a value, data[2] villages without (grey).
    `bounds`: the township's (min lon, min lat, max lon, max lat), what the map fits.
    Names are drawn above the points when the township has at most VILLAGE_NAMES_MAX
    villages (else they would pile up), and are always in the hover.
    """
    if df.empty:
        return empty_figure(t("common.no_data", lang), height=height)
    v = metric_values(df, metric, lang, context)
    pts = village_points(df, v)
    mode = "markers+text" if len(df) <= VILLAGE_NAMES_MAX else "markers"
    text_style = dict(textposition="top center",
                 textfont=dict(family=FONT_FAMILY, size=label_size, color=LABEL_COLOR, shadow=LABEL_HALO))
    fig = go.Figure([
        go.Choropleth(
            geojson=geojson_url, featureidkey="id", locations=[township_code], z=[0],
            colorscale=[[0, "#eef2f7"], [1, "#eef2f7"]], showscale=False, hoverinfo="skip",
            marker=dict(line=dict(width=2, color="#1f4e79")), name="outline"),
        go.Scattergeo(
            lon=pts[1]["lon"], lat=pts[1]["lat"], mode=mode, text=pts[1]["text"], customdata=pts[1]["customdata"],
            hovertemplate=v["hovertemplate"], **text_style,
            marker=dict(size=pts[1]["size"], color=pts[1]["color"], cmin=v["zmin"], cmax=v["zmax"],
                        colorscale=v["colorscale"], colorbar=v["colorbar"], showscale=True,
                        opacity=0.9, line=dict(width=0.6, color="#ffffff")),
            name="villages"),
        go.Scattergeo(
            lon=pts[2]["lon"], lat=pts[2]["lat"], mode=mode, text=pts[2]["text"], customdata=pts[2]["customdata"],
            hovertemplate=v["hovertemplate"], **text_style, marker=dict(size=7, color=NO_DATA_COLOR),
            name="nodata"),
    ])
    return _map_layout(fig, height, bounds)


def patch_ops(level: str | None, values: dict, frame: pd.DataFrame) -> list[tuple[tuple, object]]:
    """(path, value) assignments that turn a drawn map into another metric/period
    (`level`: of the drawn children; None under a village, which draws none).

    Only values: the geometry URL, locations of data[0], the names (data[2] of a region
    map) and the layout stay.
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
