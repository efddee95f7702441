"""What the big screen shows, from the overview's and the briefing's pieces; no dash here.

The screen re-uses the overview (KPIs, map, trend, hot townships: views/overview.py,
data/queries.py) and the briefing's unit charts (figures/briefing.py); this module adds
the URL options of a wall screen and the unit panel.
"""
from __future__ import annotations

from data import queries
from data.calendar import parse_week
from figures import briefing as bfig
from figures.screen import dark
from figures.theme import with_export_meta
from i18n import t
from views.briefing import UNIT_WINDOW, unit_level
from views.overview import export_stamp

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


def unit_figures(engine, scope, resolved: dict) -> dict:
    """The unit panel: attention index and handling quality per child unit (dark)."""
    lang, region = resolved.get("lang", "zh-CN"), resolved["region"]
    level = unit_level(region)
    with engine.connect() as conn:
        units = queries.fetch_child_metrics(conn, scope, region_code=region,
                                            week_key=parse_week(resolved["week"]),
                                            child_level=level, window=UNIT_WINDOW)
    kind = t(f"briefing.unit.{level}", lang)
    ranking = bfig.unit_bars(units.head(12), "attention_index", "index", lang=lang, higher_is_better=False,
                             label_key="index.attention")
    service = bfig.service_quality(units.head(12), lang=lang)
    out = {}
    for key, fig in (("ranking", ranking), ("service", service)):
        stamp = export_stamp(resolved, "overview.map.title")
        stamp["title"] = t(f"briefing.chart.{'attention' if key == 'ranking' else 'service'}", lang, unit=kind)
        out[key] = dark(with_export_meta(fig, **stamp).to_plotly_json())
    return out


def top_hot(engine, scope, resolved: dict):
    """The hottest townships for the screen (fewer than the overview's ten: big type)."""
    region = resolved["region"]
    with engine.connect() as conn:
        hot = queries.fetch_hot_townships(conn, scope, region_code=region,
                                          week_key=parse_week(resolved["week"]), n=HOT_ON_SCREEN)
        counties = queries.fetch_regions_at(conn, scope, region_code=region[:2].ljust(12, "0"), level="county")
    names = dict(zip(counties["code"], counties["name"]))
    hot["county_name"] = [names.get(code[:6].ljust(12, "0"), "") for code in hot["code"]]
    return hot
