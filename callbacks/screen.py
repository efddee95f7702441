"""Big screen callbacks: the overview's pieces, dark and large, refreshed and rotated.

Flow: SC_STATE (URL) + SC_REFRESH ticks -> `resolve_state` (region/week resolved as on
the overview, header texts, refresh time) -> KPIs, map, trend (the overview's own
callback functions and cache entries, restyled by figures/screen.py), hot townships and
the unit panel. `rotate_panels` switches the visible panel every `rotate` seconds.
"""
from __future__ import annotations

import datetime as dt

from dash import ALL, Input, Output, State, html

import ids
import ids_screen as sid
from callbacks import current_scope, get_engine
from callbacks import overview as ov
from callbacks.memo import memoized
from components.hotlist import hot_list
from data.calendar import parse_week, week_bounds
from figures.screen import dark
from i18n import t
from views.overview import resolve_defaults
from views.screen import top_hot, unit_figures

EMPTY = {"data": [], "layout": {}}


def resolve_state(state: dict, n_refresh):
    """(region title, period, 'updated at' line, resolved state) — again at each refresh."""
    state = state or {}
    scope, lang = current_scope(), state.get("lang") or "zh-CN"
    resolved = memoized("ov.resolve", scope, state.get("region"), state.get("week"),
                        compute=lambda: resolve_defaults(get_engine(), scope, state))
    resolved = {**resolved, "lang": lang, "tick": n_refresh or 0}
    period = ""
    if resolved.get("week"):
        monday, sunday = week_bounds(parse_week(resolved["week"]))
        period = t("screen.period", lang, week=resolved["week"], start=monday.strftime("%m-%d"),
                   end=sunday.strftime("%m-%d"))
    updated = t("screen.updated", lang, time=dt.datetime.now().strftime("%H:%M:%S"),
                as_of=resolved.get("as_of") or "—", seconds=state.get("refresh") or "")
    title = resolved.get("region_name") or t("overview.no_region", lang)
    return title, period, updated, resolved


def render_kpis(resolved):
    return ov.render_kpis(resolved)


def render_map(resolved):
    if not resolved or not resolved.get("region"):
        return EMPTY
    return dark(ov.render_map(resolved)[0])


def render_trend(resolved):
    if not resolved or not resolved.get("region"):
        return EMPTY
    return dark(ov.render_trend(resolved), font_size=16)


def render_hot(resolved):
    lang = (resolved or {}).get("lang", "zh-CN")
    if not resolved or not resolved.get("region"):
        return hot_list(ov._empty_frame(), {}, lang)
    scope = current_scope()
    query = {"region": resolved["region"], "week": resolved["week"], "lang": lang}
    return memoized("sc.hot", scope, resolved["region"], resolved["week"], lang,
                    compute=lambda: hot_list(top_hot(get_engine(), scope, resolved), query, lang))


def render_units(resolved):
    if not resolved or not resolved.get("region"):
        return EMPTY, EMPTY
    scope = current_scope()
    figs = memoized("sc.units", scope, resolved["region"], resolved["week"], resolved.get("lang"),
                    compute=lambda: unit_figures(get_engine(), scope, resolved))
    return figs["ranking"], figs["service"]


def rotate_panels(n, state):
    """Class names of the panels: the `n`-th one is shown (all but the first hidden)."""
    names = sid.PANELS
    active = (n or 0) % len(names) if (state or {}).get("rotate") else 0
    return [f"sun-screen-panel sun-screen-{name}" + (" is-active" if i == active else "")
            for i, name in enumerate(names)]


def register(app) -> None:
    """Attach the big-screen callbacks to `app`."""
    app.callback(Output(sid.SC_TITLE, "children"), Output(sid.SC_PERIOD, "children"),
                 Output(sid.SC_UPDATED, "children"), Output(sid.SC_RESOLVED, "data"),
                 Input(sid.SC_STATE, "data"), Input(sid.SC_REFRESH, "n_intervals"))(resolve_state)
    app.callback(Output(sid.SC_KPIS, "children"), Input(sid.SC_RESOLVED, "data"))(render_kpis)
    app.callback(Output(ids.chart(sid.SC_MAP_CHART), "figure"), Input(sid.SC_RESOLVED, "data"))(render_map)
    app.callback(Output(ids.chart(sid.SC_TREND_CHART), "figure"), Input(sid.SC_RESOLVED, "data"))(render_trend)
    app.callback(Output(sid.SC_HOT, "children"), Input(sid.SC_RESOLVED, "data"))(render_hot)
    app.callback(Output(ids.chart(sid.SC_RANKING_CHART), "figure"),
                 Output(ids.chart(sid.SC_SERVICE_CHART), "figure"),
                 Input(sid.SC_RESOLVED, "data"))(render_units)
    app.callback(Output(sid.panel(ALL), "className"), Input(sid.SC_ROTATE, "n_intervals"),
                 State(sid.SC_STATE, "data"), prevent_initial_call=True)(rotate_panels)
