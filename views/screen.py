"""What the big screen shows, from the overview's and the briefing's pieces; no dash here.

The screen re-uses the overview (KPIs, map, trend, hot townships: views/overview.py,
data/queries.py) and the briefing's unit charts (figures/briefing.py); this module adds
the URL options of a wall screen and the unit panel.
"""
from __future__ import annotations

import pandas as pd

from data import queries
from data.calendar import parse_week
from data.queries.regions import fetch_county_names, with_county_names
from figures import briefing as bfig
from figures.theme import with_export_meta
from i18n import t
from views.briefing import unit_level
from views.overview import MAP_HOVER, export_stamp

HOT_ON_SCREEN = 6
MIN_REFRESH, MAX_REFRESH = 2, 24 * 3600
MIN_ROTATE, MAX_ROTATE = 5, 3600


def seconds_option(value, default: int, minimum: int, maximum: int) -> int:
    """A URL option in seconds ('60', ['60']), clamped; `default` when missing or bad; 0 stays 0."""
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    try:
        seconds = int(float(str(value).strip()))
    except (TypeError, ValueError):
        return default
    if seconds <= 0:
        return 0
    return max(minimum, min(maximum, seconds))


def units_from_map(map_figure: dict) -> pd.DataFrame:
    """The units of the overview's attention map (its children), read back from the
    figure: name, code, attention_index and the hover components (views.overview.MAP_HOVER).
    The unit panel so costs no query: the map is already computed and cached."""
    traces = [tr for tr in (map_figure or {}).get("data") or [] if tr.get("type") == "choropleth"]
    if not traces:
        return pd.DataFrame(columns=["code", "name", "attention_index"])
    trace = traces[0]

    def values(name):
        return _plain_list(trace.get(name))
    frame = pd.DataFrame({"code": values("locations"), "name": values("text"),
                          "attention_index": pd.to_numeric(pd.Series(values("z")), errors="coerce")})
    custom = pd.DataFrame([list(row) for row in values("customdata")],
                          columns=[part.column for part in MAP_HOVER])
    return pd.concat([frame, custom.apply(pd.to_numeric, errors="coerce")], axis=1)


def _plain_list(value) -> list:
    """A figure array as a list: plain lists, numpy arrays, or plotly's typed-array dicts
    ({'dtype', 'bdata' (base64), 'shape'}) that to_plotly_json makes of numpy data."""
    import base64

    import numpy as np
    if value is None:
        return []
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if value.get("shape"):
            shape = [int(n) for n in str(value["shape"]).split(",")]
            array = array.reshape(shape)
        return array.tolist()
    return [list(v) if isinstance(v, (list, tuple, np.ndarray)) else v for v in value]


def unit_figures(map_figure: dict, resolved: dict) -> dict:
    """The unit panel: attention index and YTD disbursement rate per unit (dark)."""
    lang = resolved.get("lang", "zh-CN")
    units = units_from_map(map_figure).sort_values(["attention_index", "code"], ascending=[False, True])
    kind = t(f"briefing.unit.{unit_level(resolved['region'])}", lang)
    ranking = bfig.unit_bars(units.head(12), "attention_index", "index", lang=lang, higher_is_better=False,
                             label_key="index.attention")
    lagging = units.dropna(subset=["disbursement_rate_ytd"]).nsmallest(12, "disbursement_rate_ytd")
    funds = bfig.unit_bars(lagging, "disbursement_rate_ytd", "rate", lang=lang, higher_is_better=True)
    out = {}
    for key, fig, title in (("ranking", ranking, "attention"), ("funds", funds, "funds")):
        stamp = export_stamp(resolved, "overview.map.title")
        stamp["title"] = t(f"briefing.chart.{title}", lang, unit=kind)
        out[key] = with_export_meta(fig, **stamp).to_plotly_json()
    return out


def top_hot(engine, scope, resolved: dict):
    """The hottest townships for the screen (fewer than the overview's ten: big type)."""
    region = resolved["region"]
    with engine.connect() as conn:
        hot = queries.fetch_hot_townships(conn, scope, region_code=region,
                                          week_key=parse_week(resolved["week"]), n=HOT_ON_SCREEN)
        names = fetch_county_names(conn, scope, region_code=region)
    return with_county_names(hot, names)
