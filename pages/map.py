"""Hotspot map (热点地图): where it is getting worse, city → county → township → village.

The URL (region, week, lang, metric, period) is resolved into the view here and the first
view (map, crumbs, panel, worst children, records) is computed by the same functions and
cache as the callbacks (callbacks/map.py), so the page arrives drawn. Changing the metric,
period or week recolours the map in place (values only) and rewrites the URL without
reloading, so a copied URL restores the view; clicking a region drills down (a new URL).
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from callbacks import map as view_of
from callbacks.records import grid_first_view
from components.attrs import html_attrs
from components.chart import card, chart_card
from components.first_view import store
from components.records_grid import records_grid
from components.shell import page_frame
from components.state import current_state
from data.periods import PERIOD_KINDS
from data.queries.map import MAP_METRICS
from i18n import t
from ids import map as ids_map
from views.map import RECORD_CHOICES, clean_metric, clean_period

dash.register_page(__name__, path="/map", name="map", order=1,
                   title=f"{t('nav.map')} · {t('app.title')}")


def _single(value):
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    return value if isinstance(value, str) else None


def _controls(lang: str, metric: str, period: str, weeks: list, week: str | None, as_of: str) -> dbc.Row:
    metric_options = [{"label": t(f"kpi.{m}", lang), "value": m} for m in MAP_METRICS]
    period_options = [{"label": t(f"map.period.{p}", lang), "value": p} for p in PERIOD_KINDS]
    return dbc.Row([
        dbc.Col([dbc.Label(t("map.controls.metric", lang), html_for=ids_map.MAP_METRIC),
                 dcc.Dropdown(id=ids_map.MAP_METRIC, options=metric_options, value=metric,
                              clearable=False, searchable=False)], md=4, lg=3),
        dbc.Col([dbc.Label(t("map.controls.period", lang), html_for=ids_map.MAP_PERIOD),
                 dbc.RadioItems(id=ids_map.MAP_PERIOD, options=period_options, value=period,
                                inline=True, className="sun-map-period")], md=4, lg=4),
        dbc.Col([dbc.Label(t("map.controls.week", lang), html_for=ids_map.MAP_WEEK),
                 dcc.Dropdown(id=ids_map.MAP_WEEK, options=weeks, value=week, clearable=False,
                              searchable=False)], md=4, lg=3),
        dbc.Col(html.Div(as_of, id=ids_map.MAP_ASOF, className="sun-asof"), lg=2,
                className="d-flex align-items-end justify-content-lg-end"),
    ], className="g-2 mb-2 sun-controls")


def layout(region=None, week=None, lang=None, metric=None, period=None, **query):
    """The map for the URL's region, week, language, metric and period."""
    state = current_state(region, week, lang)
    lang = state.lang
    metric, period = clean_metric(_single(metric)), clean_period(_single(period))
    view, weeks, week, metric, period, as_of, chip = view_of.resolve(
        {"region": state.region, "week": state.week, "lang": lang, "metric": metric, "period": period})
    figure, drawn = view_of.render_map(view, None)
    crumbs = html.Nav(html.Ol(view_of.render_crumbs(view), id=ids_map.MAP_CRUMBS, className="breadcrumb mb-0"),
                      className="sun-map-crumbs", **html_attrs({"aria-label": t("map.crumbs", lang)}))
    map_card = chart_card(ids_map.MAP_CHART, t("map.title", lang), t("map.subtitle", lang),
                          lang=lang, height=520, figure=figure,
                          below=html.Div(view_of.render_note(view), id=ids_map.MAP_NOTE, className="sun-note"))
    panel = card(t("map.panel.title", lang), t("map.panel.subtitle", lang),
                 dcc.Loading(html.Div(view_of.render_panel(view), id=ids_map.MAP_PANEL, className="sun-map-panel"),
                             delay_show=300),
                 html.Div(view_of.render_worst(view), id=ids_map.MAP_WORST))
    choices = [{"label": t(f"map.records.{c}", lang), "value": c} for c in RECORD_CHOICES]
    choice = view_of.records_choice(metric)
    records_query = view_of.records_query(choice, view)
    records = card(t("map.records.title", lang), t("map.records.subtitle", lang),
                   dbc.RadioItems(id=ids_map.MAP_RECORDS_CHOICE, options=choices, value=choice, inline=True,
                                  className="sun-map-records-choice mb-2"),
                   records_grid(ids_map.MAP_RECORDS, lang, height=380,
                                first=grid_first_view(records_query) if records_query else None))
    body = html.Div([
        store(ids_map.MAP_VIEW, view), store(ids_map.MAP_DRAWN, drawn),
        html.Div(id=ids_map.MAP_URL_SINK, hidden=True),
        _controls(lang, metric, period, weeks, week, as_of), crumbs,
        dbc.Row([dbc.Col(map_card, lg=8), dbc.Col(panel, lg=4)], className="g-3 mb-3"),
        records,
    ], id=ids_map.MAP_ROOT)
    return page_frame("map", state, body, region_chip=chip)
