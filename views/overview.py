"""What the overview shows, assembled from queries, geometry and figures; no dash here.

`views/` sits between callbacks (wiring) and data/geo/figures/exports (no dash): one function per
piece of a page, so the same piece serves the page, the benchmark and the briefing, and
is tested without a server.
"""
from __future__ import annotations

from pathlib import Path

from data import queries
from data.calendar import format_week, parse_week, week_bounds
from data.codes import CHILD_LEVEL, ancestor_at, is_within, level_of
from data.queries.clues import deadline_counts
from data.rules.library import active_library
from figures.overview import HoverPart, attention_map_dict
from figures.theme import with_export_meta
from geo.layers import cached_places, layer_url
from i18n import t
from views.geometry import with_places

MAP_HOVER = (
    HoverPart("complaints_per_10k", "kpi.complaints_per_10k", ",.1f"),
    HoverPart("overdue_rate", "kpi.overdue_rate", ".1%"),
    HoverPart("repeat_complaint_rate", "kpi.repeat_complaint_rate", ".1%"),
    HoverPart("new_clues", "kpi.new_clues", ",.0f"),
    HoverPart("new_clue_amount", "kpi.new_clue_amount", ",.0f", "unit.yuan_suffix"),
    HoverPart("disbursement_rate_ytd", "kpi.disbursement_rate_ytd", ".1%"),
    HoverPart("disclosure_on_time_rate", "kpi.disclosure_on_time_rate", ".1%"),
)


def resolve_defaults(engine, scope, state: dict) -> dict:
    """Region and week to show: the URL's when valid, else the dataset root and latest week."""
    with engine.connect() as conn:
        info = queries.fetch_dataset_info(conn)
        root = scope.home(info.get("root_code"))
        region = queries.fetch_region(conn, scope, state.get("region") or root or "")
        weeks = queries.fetch_weeks(conn)
    wanted = state.get("week")
    week = wanted if wanted and parse_week(wanted) in weeks else (format_week(weeks[0]) if weeks else None)
    return {"root": root, "region": region["code"] if region else None,
            "region_name": region["name"] if region else None,
            "region_level": region["level"] if region else None,
            "week": week, "as_of": info.get("as_of"), "demo": bool(info.get("scale"))}


def picker_options(engine, scope, root: str | None, lang: str) -> dict:
    """Dropdown options: the root, its cities and counties (indented); weeks, newest first."""
    with engine.connect() as conn:
        regions = (queries.fetch_region_options(conn, scope, root_code=root) if root
                   else None)
        weeks = queries.fetch_weeks(conn)
    region_options = [] if regions is None else [
        {"label": f"{indent}{r.name}", "value": r.code}
        for r, indent in zip(regions.itertuples(), _indents(regions["level"]))]
    return {"regions": region_options, "weeks": [week_option(w, lang) for w in weeks]}


def with_region(options: list[dict], code: str | None, name: str | None) -> list[dict]:
    """The picker's options with the shown region among them: a township (opened from the
    search box, a link or a drill) goes right after its nearest listed ancestor, one step
    further in. A dropdown whose value is not among its options empties itself, and an
    empty picker would send the page back to the root."""
    if not code or any(o["value"] == code for o in options):
        return options
    at, indent = len(options), ""
    for i, option in enumerate(options):
        if option["value"] != code and is_within(code, option["value"]):
            label = option["label"]
            at, indent = i + 1, label[: len(label) - len(label.lstrip("\u3000"))] + "\u3000"
    return [*options[:at], {"label": f"{indent}{name or code}", "value": code}, *options[at:]]


def _indents(levels) -> list[str]:
    """One ideographic space per level below the shallowest level present (root flush left)."""
    order = [lvl for lvl in ("province", "city", "county", "township", "village") if lvl in set(levels)]
    return ["\u3000" * order.index(lvl) for lvl in levels]


def week_option(key: int, lang: str) -> dict:
    monday, sunday = week_bounds(key)
    label = t("overview.week_option", lang, week=format_week(key),
              start=monday.strftime("%m-%d"), end=sunday.strftime("%m-%d"))
    return {"label": label, "value": format_week(key)}


def map_parent_level(region: str) -> tuple[str, str]:
    """(parent code, child level) of the overview map for a region of any level."""
    level = level_of(region)
    if level in ("township", "village"):
        return ancestor_at(region, "county"), "township"
    return region, ("county" if level in ("province", "city") else CHILD_LEVEL[level])


def attention_figure(engine, scope, resolved: dict, *, cache_dir: Path, version: str, metrics=None):
    """`attention_figure_dict` as a go.Figure."""
    import plotly.graph_objects as go
    return go.Figure(attention_figure_dict(engine, scope, resolved, cache_dir=cache_dir, version=version,
                                           metrics=metrics), _validate=False)


def attention_figure_dict(engine, scope, resolved: dict, *, cache_dir: Path, version: str, metrics=None) -> dict:
    """The attention-index choropleth of the region's children (geometry by URL, their
    names at the layer's label points, fitted to their boxes), a plain figure dict.
    `metrics`: those children's fetch_child_metrics when the caller has read them already
    (the briefing's units)."""
    import pandas as pd
    lang = resolved.get("lang", "zh-CN")
    region = resolved.get("region")
    if not region:
        return attention_map_dict(pd.DataFrame(), geojson_url="", parts=MAP_HOVER, lang=lang)
    parent, level = map_parent_level(region)
    with engine.connect() as conn:
        if metrics is None:
            metrics = queries.fetch_child_metrics(conn, scope, region_code=parent,
                                                  week_key=parse_week(resolved["week"]), child_level=level,
                                                  measures=queries.ATTENTION_MEASURES,  # what MAP_HOVER shows
                                                  reasons=False)
        places = cached_places(conn, parent, level, cache_dir, version)
    fig = attention_map_dict(with_places(metrics, places), geojson_url=layer_url(parent, level, version),
                             parts=MAP_HOVER, lang=lang)
    return with_export_meta(fig, **export_stamp(resolved, "overview.map.title"))


def export_stamp(resolved: dict, title_key: str) -> dict:
    """Title, region, period and as-of stamped on an exported overview chart."""
    lang = resolved.get("lang", "zh-CN")
    return {"title": t(title_key, lang), "region": resolved.get("region_name") or "",
            "period": resolved.get("week") or "", "as_of": resolved.get("as_of")}


def map_note(engine, resolved: dict) -> str:
    """Says so when the map's boundaries are synthetic (demo), as DESIGN §4 requires."""
    from geo.layers import layer_sources
    region = resolved.get("region")
    if not region:
        return ""
    parent, level = map_parent_level(region)
    with engine.connect() as conn:
        sources = layer_sources(conn, parent, level)
    lang = resolved.get("lang", "zh-CN")
    return t("geo.synthetic_note", lang) if "synthetic" in sources else ""


def clue_deadline_counts(engine, scope, region: str) -> dict[str, int]:
    """Open clues of the region near (临期) and past (超期) their step's deadline."""
    with engine.connect() as conn:
        return deadline_counts(conn, scope, active_library(conn), region=region)
