"""Overview: the views of the page (KPIs, map, hot list, trend) and its callbacks.

The page's layout (pages/overview.py) resolves the URL state and calls the `render_*`
functions itself, so the page arrives drawn with no callback round. The callbacks left
are a user's: a picker change writes the URL (`pickers_to_url`), which renders the page
again, and the chart exports.
"""
from __future__ import annotations

from pathlib import Path

from dash import Input, Output, State, dcc, html

import ids
from callbacks.chart_export import ChartSource, register_exports
from callbacks.memo import memoized
from callbacks.page_state import pickers_to_url
from components.attrs import html_attrs
from components.hotlist import hot_list
from components.kpi_tiles import kpi_tiles
from data import queries
from data.access import VIEW_CLUES, VIEW_DASHBOARDS
from data.calendar import parse_week
from data.queries.regions import fetch_county_names, with_county_names
from figures.overview import trend_strip
from figures.theme import with_export_meta
from i18n import t
from ids import overview as oid
from runtime import current_scope, data_version, get_engine, get_settings, may
from views.overview import (
    attention_figure,
    clue_deadline_counts,
    export_stamp,
    map_note,
)

RIGHT = VIEW_DASHBOARDS  # what these callbacks need (checked on the server, callbacks/__init__.py)

OV_RESOLVED = oid.OV_RESOLVED


def render_kpis(resolved):
    if not resolved or not resolved.get("region"):
        return kpi_tiles(_empty_frame(), (resolved or {}).get("lang", "zh-CN"))
    scope, lang = current_scope(), resolved["lang"]
    region, week = resolved["region"], parse_week(resolved["week"])

    def compute():
        with get_engine().connect() as conn:
            return kpi_tiles(queries.fetch_kpis(conn, scope, region_code=region, week_key=week), lang)
    return memoized("ov.kpis", scope, region, week, lang, compute=compute)


def render_map(resolved):
    lang = (resolved or {}).get("lang", "zh-CN")
    scope = current_scope()
    key = (resolved or {}).get("region"), (resolved or {}).get("week"), lang
    def compute_figure():
        engine = get_engine()
        return attention_figure(engine, scope, resolved or {}, cache_dir=Path(get_settings().cache_dir),
                                version=data_version()).to_plotly_json()
    figure = memoized("ov.map", scope, *key, compute=compute_figure)
    note = memoized("ov.map_note", scope, *key,
                    compute=lambda: map_note(get_engine(), resolved))
    return figure, note


def render_hot(resolved):
    lang = (resolved or {}).get("lang", "zh-CN")
    if not resolved or not resolved.get("region"):
        return hot_list(_empty_frame(), {}, lang)
    scope = current_scope()
    region, week = resolved["region"], parse_week(resolved["week"])
    query = {"region": region, "week": resolved["week"], "lang": lang}

    def compute():
        with get_engine().connect() as conn:
            hot = queries.fetch_hot_townships(conn, scope, region_code=region, week_key=week, n=10)
            names = fetch_county_names(conn, scope, region_code=region)
        return hot_list(with_county_names(hot, names), query, lang)
    return memoized("ov.hot", scope, region, week, lang, compute=compute)


def render_trend(resolved):
    lang = (resolved or {}).get("lang", "zh-CN")
    if not resolved or not resolved.get("region"):
        return trend_strip(_empty_frame(), lang=lang)
    scope = current_scope()
    region, week = resolved["region"], parse_week(resolved["week"])

    def compute():
        with get_engine().connect() as conn:
            trend = queries.fetch_trend(conn, scope, region_code=region, week_key=week, weeks=12)
        fig = with_export_meta(trend_strip(trend, lang=lang),
                               **export_stamp(resolved, "overview.trend.title"))
        return fig.to_plotly_json()
    return memoized("ov.trend", scope, region, week, lang, compute=compute)


def render_clue_deadlines(resolved):
    """'问题线索办理：办理中 N · 临期 N · 超期 N' for the region (counts only: no clue itself),
    with a link to the overdue list for those who may open /clues."""
    if not resolved or not resolved.get("region"):
        return None
    scope, lang, region = current_scope(), resolved["lang"], resolved["region"]
    counts = memoized("ov.clue_due", scope, region, compute=lambda: clue_deadline_counts(get_engine(), scope, region))
    if not counts["open"]:
        return None
    line: list = [html.Span(t("overview.clue_deadlines", lang, **{k: f"{v:,}" for k, v in counts.items()}))]
    if counts["overdue"] and may(VIEW_CLUES):
        line += [" · ", dcc.Link(t("overview.clue_deadlines.link", lang), className="sun-link",
                                 href=f"/clues?region={region}&deadline=overdue&lang={lang}")]
    tone = "sun-bad" if counts["overdue"] else "sun-watch" if counts["near"] else ""
    return html.Div(line, className=f"sun-note {tone}", **html_attrs({"data-overdue": str(counts["overdue"])}))


def _empty_frame():
    import pandas as pd
    return pd.DataFrame()


# Exportable charts, re-created on the server from the resolved state (callbacks/chart_export.py)
CHARTS = {
    oid.OV_MAP_CHART: ChartSource(State(OV_RESOLVED, "data"), lambda r: render_map(r)[0]),
    oid.OV_TREND_CHART: ChartSource(State(OV_RESOLVED, "data"), render_trend),
}


def register(app) -> None:
    """Attach the overview callbacks to `app`."""
    app.callback(Output(ids.PAGES_LOCATION, "search", allow_duplicate=True),
                 Input(oid.OV_REGION, "value"), Input(oid.OV_WEEK, "value"),
                 State(OV_RESOLVED, "data"), State(ids.PAGES_LOCATION, "search"),
                 prevent_initial_call=True)(pickers_to_url)
    register_exports(app, CHARTS)
