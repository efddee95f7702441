"""Big screen (大屏): the wall-screen mode of the weekly review meeting.

Dark, made for 1920×1080 and sized in vw/vh so it is the same at 3840×2160; no navbar,
no scrollbars (assets/screen.css). The first view is computed here, for the window size
the layout request reported (components/first_view.viewport), by the callbacks' own
functions (callbacks/screen.py); the callbacks then only refresh and rotate. The URL is
the state:
`region`, `week`, `lang`, plus `refresh` (seconds between data refreshes, default
settings.refresh_seconds) and `rotate` (seconds per panel; 0 or absent = no rotation).
"""
from __future__ import annotations

import dash
from dash import dcc, html

from callbacks import screen as view
from components.attrs import html_attrs
from components.chart import card, chart_card
from components.first_view import store, viewport
from components.shell import page_frame
from components.state import current_state
from i18n import t
from ids import screen as sid
from views.screen import MAX_REFRESH, MAX_ROTATE, MIN_REFRESH, MIN_ROTATE, seconds_option

dash.register_page(__name__, path="/screen", name="screen", order=5,
                   title=f"{t('nav.screen')} · {t('app.title')}")


def _refresh_default() -> int:
    from runtime import get_settings
    try:
        return int(get_settings().refresh_seconds)
    except Exception:
        return 300


def _cell(name: str, child) -> html.Div:
    """A grid cell of a panel (the grid area is named after the piece)."""
    return html.Div(child, className=f"sun-screen-cell sun-screen-{name}")


def layout(region=None, week=None, lang=None, refresh=None, rotate=None, **query):
    """The wall screen for the URL's region and week."""
    state = current_state(region, week, lang)
    lang = state.lang
    refresh_s = seconds_option(refresh, _refresh_default(), MIN_REFRESH, MAX_REFRESH) or _refresh_default()
    rotate_s = seconds_option(rotate, 0, MIN_ROTATE, MAX_ROTATE)
    url_state = {"region": state.region, "week": state.week, "lang": lang,
                 "refresh": refresh_s, "rotate": rotate_s}
    window = viewport()
    title, period, updated, resolved = view.resolve_state(window, 0, url_state)
    header = html.Header([
        html.Div([html.Span(t("app.title", lang), className="sun-screen-brand"),
                  html.Span(title, id=sid.SC_TITLE, className="sun-screen-region")], className="sun-screen-heading"),
        html.Div(period, id=sid.SC_PERIOD, className="sun-screen-period"),
        html.Div(updated, id=sid.SC_UPDATED, className="sun-screen-updated", role="status"),
    ], className="sun-screen-header")
    situation = html.Div([
        _cell("map", chart_card(sid.SC_MAP_CHART, t("overview.map.title", lang),
                                t("screen.map.subtitle", lang), lang=lang, height=400,
                                figure=view.render_map(resolved))),
        _cell("hot", card(t("overview.hot.title", lang), t("screen.hot.subtitle", lang),
                          html.Div(view.render_hot(resolved), id=sid.SC_HOT))),
        _cell("trend", chart_card(sid.SC_TREND_CHART, t("overview.trend.title", lang), "", lang=lang,
                                  height=200, figure=view.render_trend(resolved))),
    ], id=sid.panel("situation"), className="sun-screen-panel sun-screen-situation is-active")
    ranking, funds = view.render_units(resolved)
    units = html.Div([
        _cell("ranking", chart_card(sid.SC_RANKING_CHART, t("screen.units.ranking", lang),
                                    t("screen.units.window", lang), lang=lang, height=400, figure=ranking)),
        _cell("funds", chart_card(sid.SC_FUNDS_CHART, t("screen.units.funds", lang),
                                  t("screen.units.funds_note", lang), lang=lang, height=400, figure=funds)),
    ], id=sid.panel("units"), className="sun-screen-panel sun-screen-units")
    body = html.Div([
        dcc.Store(id=sid.SC_STATE, data=url_state),
        dcc.Store(id=sid.SC_RESOLVED, data=resolved),
        store(sid.SC_VIEWPORT, window or None),
        dcc.Interval(id=sid.SC_REFRESH, interval=refresh_s * 1000),
        dcc.Interval(id=sid.SC_ROTATE, interval=max(rotate_s, MIN_ROTATE) * 1000, disabled=not rotate_s),
        header,
        html.Div(view.render_kpis(resolved), id=sid.SC_KPIS, className="sun-screen-kpis"),
        html.Div([situation, units], className="sun-screen-stage"),
    ], id=sid.SC_ROOT, className="sun-screen", **html_attrs({"data-refresh": refresh_s, "data-rotate": rotate_s}))
    return page_frame("screen", state, body, region_chip=t("common.current_region", lang,
                                                            region=resolved.get("region_name") or "—"))
