"""Big screen callbacks: the overview's pieces, dark and large, refreshed and rotated.

The page's layout (pages/screen.py) draws the first view with these functions. Then:
SC_REFRESH ticks (and the window size, when the layout request did not report it) ->
`resolve_state` (region/week resolved as on the overview, header texts, refresh time) ->
KPIs, map, trend (the overview's own callback functions and cache entries, restyled by
figures/screen.py), hot townships and the unit panel. `rotate_panels` switches the
visible panel every `rotate` seconds.
"""
from __future__ import annotations

import datetime as dt

from dash import ALL, Input, Output, State, no_update

import ids
from callbacks import overview as ov
from callbacks.chart_export import ChartSource, register_exports
from callbacks.memo import memoized
from callbacks.page_state import page_lang, resolved_defaults
from components.hotlist import hot_list
from data.access import VIEW_DASHBOARDS
from data.calendar import parse_week, week_bounds
from figures.screen import dark
from i18n import t
from ids import screen as sid
from runtime import current_scope, data_version, get_engine
from views.screen import top_hot, unit_figures

RIGHT = VIEW_DASHBOARDS  # what these callbacks need (checked on the server, callbacks/__init__.py)

EMPTY: dict[str, object] = {"data": [], "layout": {}}
DESIGN_W, DESIGN_H = 1920, 1080          # the layout's reference size
# share of the window the screen map's plot area takes (its grid cell less the card's
# title and the colour bar; assets/screen.css): the names are fitted to it
MAP_PLOT_SHARE = (0.50, 0.44)

# Window size into a store, so figures are sized for the wall (fonts, map names); only when
# the layout did not know it (its figures are then redrawn for this window).
VIEWPORT_JS = """
function(state, known) {
    if (known && known.w) { return window.dash_clientside.no_update; }
    return {w: window.innerWidth, h: window.innerHeight};
}
"""


def _scale(resolved) -> float:
    """Window width relative to 1920 px (plotly fonts are px; the CSS uses vw)."""
    width = ((resolved or {}).get("viewport") or {}).get("w") or DESIGN_W
    return max(0.6, min(3.0, float(width) / DESIGN_W))


def _map_box(resolved) -> tuple[float, float]:
    view = (resolved or {}).get("viewport") or {}
    width, height = view.get("w") or DESIGN_W, view.get("h") or DESIGN_H
    return float(width) * MAP_PLOT_SHARE[0], float(height) * MAP_PLOT_SHARE[1]


def resolve_state(viewport, n_refresh, state: dict):
    """(region title, period, 'updated at' line, resolved state) — again at each refresh."""
    state, lang = state or {}, page_lang(state)
    resolved = {**resolved_defaults(state), "lang": lang, "tick": n_refresh or 0,
                "viewport": viewport or {}}
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


def _fingerprint(resolved) -> str:
    """What a screen figure depends on: data version, region, week, language, window."""
    r = resolved or {}
    return repr((data_version(), r.get("region"), r.get("week"), r.get("lang"),
                 sorted((r.get("viewport") or {}).items())))


def _unchanged(resolved, current) -> tuple[str, bool]:
    """A refresh re-sends a figure only when its inputs changed (no flicker, and a map
    still fetching its geometry is not asked to draw again)."""
    key = _fingerprint(resolved)
    meta = ((current or {}).get("layout") or {}).get("meta") or {}
    return key, isinstance(meta, dict) and meta.get("screen") == key


def _keyed(fig: dict, key: str) -> dict:
    layout = fig.setdefault("layout", {})
    meta = layout.get("meta") if isinstance(layout.get("meta"), dict) else {}
    layout["meta"] = {**meta, "screen": key}
    return fig


def render_map(resolved, current=None):
    if not resolved or not resolved.get("region"):
        return EMPTY
    key, same = _unchanged(resolved, current)
    if same:
        return no_update
    return _keyed(dark(ov.render_map(resolved)[0], font_size=round(18 * _scale(resolved)),
                       map_box_px=_map_box(resolved)), key)


def render_trend(resolved, current=None):
    if not resolved or not resolved.get("region"):
        return EMPTY
    key, same = _unchanged(resolved, current)
    if same:
        return no_update
    return _keyed(dark(ov.render_trend(resolved), font_size=round(16 * _scale(resolved))), key)


def render_hot(resolved):
    lang = (resolved or {}).get("lang", "zh-CN")
    if not resolved or not resolved.get("region"):
        return hot_list(ov._empty_frame(), {}, lang)
    scope = current_scope()
    query = {"region": resolved["region"], "week": resolved["week"], "lang": lang}
    return memoized("sc.hot", scope, resolved["region"], resolved["week"], lang,
                    compute=lambda: hot_list(top_hot(get_engine(), scope, resolved), query, lang, short=True))


def render_units(resolved, current=None):
    """The unit panel (ranking, disbursement), judged per unit (views.screen.unit_figures)."""
    if not resolved or not resolved.get("region"):
        return EMPTY, EMPTY
    key, same = _unchanged(resolved, current)
    if same:
        return no_update, no_update
    figs = memoized("sc.units", current_scope(), resolved["region"], resolved.get("week"),
                    resolved.get("lang"), compute=lambda: unit_figures(get_engine(), current_scope(), resolved))
    size = round(18 * _scale(resolved))
    return _keyed(dark(figs["ranking"], font_size=size), key), _keyed(dark(figs["funds"], font_size=size), key)


def rotate_panels(n, state):
    """Class names of the panels: the `n`-th one is shown (all but the first hidden)."""
    names = sid.PANELS
    active = (n or 0) % len(names) if (state or {}).get("rotate") else 0
    return [f"sun-screen-panel sun-screen-{name}" + (" is-active" if i == active else "")
            for i, name in enumerate(names)]


# Exportable charts, re-created on the server from the resolved state (callbacks/chart_export.py)
CHARTS = {
    sid.SC_MAP_CHART: ChartSource(State(sid.SC_RESOLVED, "data"), render_map),
    sid.SC_TREND_CHART: ChartSource(State(sid.SC_RESOLVED, "data"), render_trend),
    sid.SC_RANKING_CHART: ChartSource(State(sid.SC_RESOLVED, "data"), lambda r: render_units(r)[0]),
    sid.SC_FUNDS_CHART: ChartSource(State(sid.SC_RESOLVED, "data"), lambda r: render_units(r)[1]),
}


def register(app) -> None:
    """Attach the big-screen callbacks to `app`."""
    changed = {"prevent_initial_call": True}  # the layout drew the first view
    app.clientside_callback(VIEWPORT_JS, Output(sid.SC_VIEWPORT, "data"), Input(sid.SC_STATE, "data"),
                            State(sid.SC_VIEWPORT, "data"))
    app.callback(Output(sid.SC_TITLE, "children"), Output(sid.SC_PERIOD, "children"),
                 Output(sid.SC_UPDATED, "children"), Output(sid.SC_RESOLVED, "data"),
                 Input(sid.SC_VIEWPORT, "data"), Input(sid.SC_REFRESH, "n_intervals"),
                 State(sid.SC_STATE, "data"), **changed)(resolve_state)
    app.callback(Output(sid.SC_KPIS, "children"), Input(sid.SC_RESOLVED, "data"), **changed)(render_kpis)
    app.callback(Output(ids.chart(sid.SC_MAP_CHART), "figure"), Input(sid.SC_RESOLVED, "data"),
                 State(ids.chart(sid.SC_MAP_CHART), "figure"), **changed)(render_map)
    app.callback(Output(ids.chart(sid.SC_TREND_CHART), "figure"), Input(sid.SC_RESOLVED, "data"),
                 State(ids.chart(sid.SC_TREND_CHART), "figure"), **changed)(render_trend)
    app.callback(Output(sid.SC_HOT, "children"), Input(sid.SC_RESOLVED, "data"), **changed)(render_hot)
    app.callback(Output(ids.chart(sid.SC_RANKING_CHART), "figure"),
                 Output(ids.chart(sid.SC_FUNDS_CHART), "figure"),
                 Input(sid.SC_RESOLVED, "data"),
                 State(ids.chart(sid.SC_RANKING_CHART), "figure"), **changed)(render_units)
    app.callback(Output(sid.panel(ALL), "className"), Input(sid.SC_ROTATE, "n_intervals"),
                 State(sid.SC_STATE, "data"), prevent_initial_call=True)(rotate_panels)
    register_exports(app, CHARTS)
