"""What the big screen shows, from the overview's and the briefing's pieces; no dash here.

The screen re-uses the overview (KPIs, map, trend, hot townships: views/overview.py,
data/queries.py) and the briefing's unit charts (figures/briefing.py); this module adds
the URL options of a wall screen and the unit panel.
"""
from __future__ import annotations

import pandas as pd

from data import queries
from data.calendar import parse_week
from data.judgement import Context
from data.queries.regions import fetch_county_names, with_county_names
from figures.theme import with_export_meta
from i18n import t
from views.briefing import judged_bars, unit_level
from views.overview import export_stamp

HOT_ON_SCREEN = 5  # with two short reasons each, five fill the panel at 1920×1080 without cutting one
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


def unit_frame(engine, scope, resolved: dict) -> pd.DataFrame:
    """The units of the overview's attention map (its children) with what their
    judgements read (measures and rates), attention index first."""
    from views.overview import map_parent_level
    parent, level = map_parent_level(resolved["region"])
    week_key = parse_week(resolved["week"])
    with engine.connect() as conn:
        return queries.fetch_child_metrics(conn, scope, region_code=parent, week_key=week_key,
                                           child_level=level, measures=queries.ATTENTION_MEASURES)


def unit_figures(engine, scope, resolved: dict) -> dict:
    """The unit panel: attention index and YTD disbursement rate per unit (dark), each
    bar coloured by its judgement (the briefing's `judged_bars`)."""
    lang = resolved.get("lang", "zh-CN")
    units = unit_frame(engine, scope, resolved)
    context = Context(week_key=parse_week(resolved["week"]), peers=units)
    kind = t(f"briefing.unit.{unit_level(resolved['region'])}", lang)
    ranking = judged_bars(units.head(12), "attention_index", context, lang, label_key="index.attention")
    rate = pd.to_numeric(units["disbursement_rate_ytd"], errors="coerce")  # rates are object (None on 0 ÷ 0)
    lagging = units.loc[rate.dropna().nsmallest(12).index]
    funds = judged_bars(lagging, "disbursement_rate_ytd", context, lang,
                        reference=context.benchmark("disbursement_rate_ytd"),
                        reference_label=t("judge.benchmark.time_progress", lang))
    out = {}
    for key, fig, title in (("ranking", ranking, "attention"), ("funds", funds, "funds")):
        stamp = export_stamp(resolved, "overview.map.title")
        stamp["title"] = t(f"briefing.chart.{title}", lang, unit=kind)
        out[key] = with_export_meta(fig, **stamp)
    return out


def top_hot(engine, scope, resolved: dict):
    """The hottest townships for the screen (fewer than the overview's ten: big type)."""
    region = resolved["region"]
    with engine.connect() as conn:
        hot = queries.fetch_hot_townships(conn, scope, region_code=region,
                                          week_key=parse_week(resolved["week"]), n=HOT_ON_SCREEN)
        names = fetch_county_names(conn, scope, region_code=region)
    return with_county_names(hot, names)
