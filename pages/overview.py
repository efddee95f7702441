"""Overview (总览): last week at a glance for the leaders' Monday review.

The URL's region/week/lang are resolved here and the first view (KPIs, map, hot list,
trend) is computed by the same functions and cache the callbacks used
(callbacks/overview.py), so the page arrives drawn. The pickers write the URL back, which
renders the page again: the URL stays the only state.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from callbacks import overview as view
from callbacks.page_state import first_state
from components.chart import card, chart_card
from components.search import search_col
from components.shell import page_frame
from components.state import current_state
from i18n import t
from ids import overview as oid

dash.register_page(__name__, path="/", name="overview", order=0,
                   title=f"{t('nav.overview')} · {t('app.title')}")

def _controls(lang: str, first) -> dbc.Row:
    return dbc.Row([
        dbc.Col([dbc.Label(t("overview.controls.region", lang), html_for=oid.OV_REGION),
                 dcc.Dropdown(id=oid.OV_REGION, clearable=False, searchable=True,
                              options=first.region_options, value=first.region)], md=4, lg=3),
        search_col("overview", lang, md=4, lg=3),
        dbc.Col([dbc.Label(t("overview.controls.week", lang), html_for=oid.OV_WEEK),
                 dcc.Dropdown(id=oid.OV_WEEK, clearable=False, searchable=False,
                              options=first.week_options, value=first.week)], md=4, lg=3),
        dbc.Col(html.Div(first.as_of, id=oid.OV_ASOF, className="sun-asof"), md=12, lg=3,
                className="d-flex align-items-end justify-content-md-end"),
    ], className="g-2 mb-3 sun-controls")


def layout(region=None, week=None, lang=None, **query):
    """The overview for the URL's region, week and language."""
    state = current_state(region, week, lang)
    lang = state.lang
    first = first_state(state.region, state.week, lang)
    resolved = first.resolved
    store = dcc.Store(id=oid.OV_RESOLVED, data=resolved)  # what the chart exports re-create
    kpis = html.Div(view.render_kpis(resolved), id=oid.OV_KPIS, className="sun-kpis mb-3")
    clue_due = html.Div(view.render_clue_deadlines(resolved), id=oid.OV_CLUE_DUE, className="sun-clue-due mb-3")
    map_figure, map_note = view.render_map(resolved)
    map_card = chart_card(oid.OV_MAP_CHART, t("overview.map.title", lang), t("overview.map.subtitle", lang),
                          lang=lang, height=460, figure=map_figure,
                          below=html.Div(map_note, id=oid.OV_MAP_NOTE, className="sun-note"))
    hot_card = card(t("overview.hot.title", lang), t("overview.hot.subtitle", lang),
                     html.Div(view.render_hot(resolved), id=oid.OV_HOT))
    trend_card = chart_card(oid.OV_TREND_CHART, t("overview.trend.title", lang), "", lang=lang, height=230,
                            figure=view.render_trend(resolved))
    body = html.Div([
        store, _controls(lang, first), kpis, clue_due,
        dbc.Row([dbc.Col(map_card, lg=7), dbc.Col(hot_card, lg=5)], className="g-3 mb-3"),
        trend_card,
    ], id=oid.OVERVIEW_ROOT)
    return page_frame("overview", state, body, region_chip=first.region_chip)
