"""Region profile (村级画像 / 乡镇画像): one village, township or county on one page.

Reached from the map (a village point, "open profile") and the overview's hot list; not
in the navbar. Path /region/<code> (6- or 12-digit code); query week, lang, period.
The first view is computed here by the functions of callbacks/region.py (and
callbacks/region_oversight.py, for those who may view clues), so the page arrives drawn;
the callbacks run when the period changes.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

import runtime
from callbacks import region as view_of
from callbacks.records import grid_first_view
from callbacks.region_oversight import render_oversight
from components.attrs import html_attrs
from components.chart import card, chart_card
from components.records_grid import records_grid
from components.shell import page_frame
from components.state import current_state
from data.access import VIEW_CLUES
from data.periods import PERIOD_KINDS
from i18n import t
from ids import map as ids_map
from views.map import clean_period

dash.register_page(__name__, path_template="/region/<code>", name="region", order=90,
                   title=f"{t('page.region.title')} · {t('app.title')}", in_navbar=False)


def layout(code=None, week=None, lang=None, period=None, **query):
    """The profile of the path's region for the URL's week, language and period."""
    state = current_state(code, week, lang)
    lang = state.lang
    if isinstance(period, (list, tuple)):
        period = period[-1] if period else None
    period = clean_period(period)
    view, period_value, chip = view_of.resolve({"region": state.region, "week": state.week,
                                                "lang": lang, "period": period})
    if isinstance(period_value, str):
        period = period_value
    options = [{"label": t(f"map.period.{p}", lang), "value": p} for p in PERIOD_KINDS]
    controls = dbc.Row([
        dbc.Col(html.Nav(html.Ol(view_of.render_crumbs(view), id=ids_map.REGION_CRUMBS, className="breadcrumb mb-0"),
                         className="sun-map-crumbs", **html_attrs({"aria-label": t("map.crumbs", lang)})), lg=7),
        dbc.Col(dbc.RadioItems(id=ids_map.REGION_PERIOD, options=options, value=period, inline=True,
                               className="sun-map-period"), lg=5,
                className="d-flex justify-content-lg-end align-items-center"),
    ], className="g-2 mb-2")
    table, summary, reasons = view_of.render_profile(view)
    kpis = card(t("region.kpis.title", lang), t("region.kpis.subtitle", lang),
                dcc.Loading(html.Div(table, id=ids_map.REGION_KPIS), delay_show=300))
    side = card(t("region.summary.title", lang), "",
                html.Div(summary, id=ids_map.REGION_SUMMARY, className="sun-region-summary"),
                html.Div(reasons, id=ids_map.REGION_REASONS),
                html.Div(view_of.render_children(view), id=ids_map.REGION_CHILDREN))
    trend = chart_card(ids_map.REGION_TREND_CHART, t("region.trend.title", lang),
                       t("region.trend.subtitle", lang), lang=lang, height=230, figure=view_of.render_trend(view))
    timeline = chart_card(ids_map.REGION_TIMELINE_CHART, t("region.timeline.title", lang),
                          t("region.timeline.subtitle", lang), lang=lang, height=600,
                          figure=view_of.render_timeline(view))
    records_query = view_of.records(view)
    records = card(t("region.records.title", lang), t("region.records.subtitle", lang),
                   records_grid(ids_map.REGION_RECORDS, lang, height=360,
                                first=grid_first_view(records_query) if records_query else None))
    oversight = card(t("region.oversight.title", lang), t("region.oversight.subtitle", lang),
                     dcc.Loading(html.Div(render_oversight(view), id=ids_map.REGION_OVERSIGHT), delay_show=300)) \
        if runtime.may(VIEW_CLUES) else html.Div(id=ids_map.REGION_OVERSIGHT, hidden=True)
    body = html.Div([
        dcc.Store(id=ids_map.REGION_VIEW, data=view), controls,
        dbc.Row([dbc.Col(kpis, lg=7), dbc.Col(side, lg=5)], className="g-3 mb-3"),
        html.Div(oversight, className="mb-3"),
        html.Div(timeline, className="mb-3"), html.Div(trend, className="mb-3"), records,
    ], id=ids_map.REGION_ROOT)
    return page_frame("region", state, body, region_chip=chip)
