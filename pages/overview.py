"""Overview (总览): last week at a glance for the leaders' Monday review.

Layout only: the URL's region/week/lang become a dcc.Store that every overview
callback reads (callbacks/overview.py); the pickers write the URL back, so a reload or
a shared link shows the same view.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.chart import card, chart_card
from components.search import search_col
from components.shell import page_frame
from components.state import current_state
from i18n import t
from ids import overview as oid

dash.register_page(__name__, path="/", name="overview", order=0,
                   title=f"{t('nav.overview')} · {t('app.title')}")

def _controls(state) -> dbc.Row:
    lang = state.lang
    return dbc.Row([
        dbc.Col([dbc.Label(t("overview.controls.region", lang), html_for=oid.OV_REGION),
                 # value and options both come from resolve_state, in one update: a value
                 # set here before its options arrive was sometimes left blank on reload
                 dcc.Dropdown(id=oid.OV_REGION, clearable=False,
                              searchable=True)], md=4, lg=3),
        search_col("overview", lang, md=4, lg=3),
        dbc.Col([dbc.Label(t("overview.controls.week", lang), html_for=oid.OV_WEEK),
                 dcc.Dropdown(id=oid.OV_WEEK, clearable=False,
                              searchable=False)], md=4, lg=3),
        dbc.Col(html.Div(id=oid.OV_ASOF, className="sun-asof"), md=12, lg=3,
                className="d-flex align-items-end justify-content-md-end"),
    ], className="g-2 mb-3 sun-controls")


def layout(region=None, week=None, lang=None, **query):
    """The overview for the URL's region, week and language."""
    state = current_state(region, week, lang)
    lang = state.lang
    store = html.Div([dcc.Store(id=oid.OV_STATE, data={"region": state.region,
                                                        "week": state.week, "lang": lang}),
                      dcc.Store(id=oid.OV_RESOLVED)])
    kpis = dcc.Loading(html.Div(id=oid.OV_KPIS, className="sun-kpis mb-3"), delay_show=300)
    clue_due = html.Div(id=oid.OV_CLUE_DUE, className="sun-clue-due mb-3")
    map_card = chart_card(oid.OV_MAP_CHART, t("overview.map.title", lang), t("overview.map.subtitle", lang),
                          lang=lang, height=460, below=html.Div(id=oid.OV_MAP_NOTE, className="sun-note"))
    hot_card = card(t("overview.hot.title", lang), t("overview.hot.subtitle", lang),
                     html.Div(id=oid.OV_HOT))
    trend_card = chart_card(oid.OV_TREND_CHART, t("overview.trend.title", lang), "", lang=lang, height=230)
    body = html.Div([
        store, _controls(state), kpis, clue_due,
        dbc.Row([dbc.Col(map_card, lg=7), dbc.Col(hot_card, lg=5)], className="g-3 mb-3"),
        trend_card,
    ], id=oid.OVERVIEW_ROOT)
    return page_frame("overview", state, body)
