"""Complaints and service requests (投诉与办事): where reports rise, whether they are handled
on time, whether people are satisfied.

The URL query is the state: region, week, lang plus `period` (week | 4w | quarter | ytd:
handling, units, 我要办), `span` (12w | 26w | 52w | 104w: the trend) and `by` (region |
category | channel: the trend's breakdown). It is resolved here and every section (and
the records grids' first rows) is computed by the same functions and cache the callbacks
use (callbacks/complaints.py), so the page arrives drawn; a control change writes the
URL back, which renders the page again.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

import runtime
from callbacks import complaints as view_of
from callbacks.records import grid_first_view
from components.chart import card, chart_card
from components.records_grid import records_grid
from components.search import search_col
from components.shell import page_frame
from components.state import current_state
from data.access import UNMASK_IDENTITY
from data.periods import PERIOD_KINDS, TREND_KINDS
from i18n import t
from ids import complaints as cid
from views.complaints import BY_KINDS, DEFAULT_BY, DEFAULT_PERIOD, DEFAULT_SPAN, HOT_WEEKS

ISSUE = 5  # the issue that builds this page
OPEN_GRID = "complaints-open"
SERVICES_GRID = "complaints-services-overdue"

dash.register_page(__name__, path="/complaints", name="complaints", order=3,
                   title=f"{t('nav.complaints')} · {t('app.title')}")


def _single(value):
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    return value if isinstance(value, str) else None


def _control(label: str, component, **col) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=component.id), component], **col)


def _controls(lang: str, first: tuple, period: str, span: str, by: str) -> dbc.Row:
    regions, region_value, weeks, week_value, as_of, _chip, _resolved = first
    region = dcc.Dropdown(id=cid.REGION, options=regions, value=region_value, clearable=False, searchable=True)
    week = dcc.Dropdown(id=cid.WEEK, options=weeks, value=week_value, clearable=False, searchable=False)
    period_dd = dcc.Dropdown(id=cid.PERIOD, value=period, clearable=False, searchable=False,
                             options=[{"label": t(f"complaints.period.{p}", lang), "value": p}
                                      for p in PERIOD_KINDS])
    span_dd = dcc.Dropdown(id=cid.SPAN, value=span, clearable=False, searchable=False,
                           options=[{"label": t(f"complaints.span.{s}", lang), "value": s}
                                    for s in TREND_KINDS])
    by_dd = dcc.Dropdown(id=cid.BY, value=by, clearable=False, searchable=False,
                         options=[{"label": t(f"complaints.by.{b}", lang), "value": b} for b in BY_KINDS])
    return dbc.Row([
        _control(t("complaints.controls.region", lang), region, md=6, lg=3),
        search_col("complaints", lang, md=6, lg=3),
        _control(t("complaints.controls.week", lang), week, md=6, lg=3),
        _control(t("complaints.controls.period", lang), period_dd, sm=4, lg=2),
        _control(t("complaints.controls.span", lang), span_dd, sm=4, lg=2),
        _control(t("complaints.controls.by", lang), by_dd, sm=4, lg=2),
        dbc.Col(html.Div(as_of, id=cid.ASOF, className="sun-asof"), width=12,
                className="d-flex justify-content-md-end"),
    ], className="g-2 mb-3 sun-controls")


def _unmask_card(lang: str) -> list:
    """Identity by case, for the roles that hold UNMASK_IDENTITY (the server checks again)."""
    if not runtime.may(UNMASK_IDENTITY):
        return []
    form = dbc.Row([
        dbc.Col([dbc.Label(t("identity.case", lang), html_for=cid.UNMASK_CASE),
                 dbc.Input(id=cid.UNMASK_CASE, maxLength=24, autoComplete="off")], md=3),
        dbc.Col([dbc.Label(t("identity.reason", lang), html_for=cid.UNMASK_REASON),
                 dbc.Input(id=cid.UNMASK_REASON, maxLength=200, autoComplete="off",
                           placeholder=t("identity.reason_hint", lang))], md=7),
        dbc.Col(dbc.Button(t("identity.open", lang), id=cid.UNMASK_OPEN, color="danger", outline=True),
                md=2, className="d-flex align-items-end"),
    ], className="g-2")
    return [html.Div(className="mb-3"),
            card(t("identity.title", lang), t("identity.subtitle", lang), form,
                 html.Div(id=cid.UNMASK_RESULT, className="mt-2", role="status"))]


def _grid(key: str, lang: str, query: dict | None, height: int):
    return records_grid(key, lang, height=height, first=grid_first_view(query) if query else None)


def layout(region=None, week=None, lang=None, period=None, span=None, by=None, **query):
    """The complaints page for the URL's state."""
    state = current_state(region, week, lang)
    lang = state.lang
    period = _single(period) if _single(period) in PERIOD_KINDS else DEFAULT_PERIOD
    span = _single(span) if _single(span) in TREND_KINDS else DEFAULT_SPAN
    by = _single(by) if _single(by) in BY_KINDS else DEFAULT_BY
    first = view_of.resolve_state({"region": state.region, "week": state.week, "lang": lang,
                                   "period": period, "span": span, "by": by})
    resolved, chip = first[-1], first[-2]
    store = dcc.Store(id=cid.RESOLVED, data=resolved)  # what the callbacks and exports read
    trend_base, trend_note = view_of.render_trend(resolved)
    rule, hot, marks = view_of.render_hotspots(resolved)
    trend = chart_card(cid.TREND_CHART, t("complaints.trend.title", lang),
                       t("complaints.trend.subtitle", lang), lang=lang, height=460,
                       figure=view_of.trend_with_marks(trend_base, marks),
                       below=html.Div(trend_note, id=cid.TREND_NOTE, className="sun-note"))
    hotspots = card(t("complaints.spikes.title", lang),
                    t("complaints.spikes.subtitle", lang, weeks=HOT_WEEKS),
                    html.P(rule, id=cid.RULE, className="sun-cp-rule"),
                    dcc.Loading(html.Div(hot, id=cid.HOTSPOTS, className="sun-cp-hotspots"), delay_show=300))
    handling_tiles, funnel, age = view_of.render_handling(resolved)
    open_query, services_query = view_of.grid_queries(resolved)
    handling = html.Section([
        html.H2(t("complaints.handling.title", lang), className="sun-cp-section"),
        html.Div(handling_tiles, id=cid.HANDLING_TILES, className="sun-cp-tiles mb-3"),
        dbc.Row([
            dbc.Col(chart_card(cid.FUNNEL_CHART, t("complaints.funnel.title", lang),
                               t("complaints.funnel.subtitle", lang), lang=lang, height=260, figure=funnel), lg=5),
            dbc.Col(chart_card(cid.AGE_CHART, t("complaints.age.title", lang), "", lang=lang,
                               height=260, figure=age), lg=7),
        ], className="g-3 mb-3"),
        card("", t("complaints.open.subtitle", lang), _grid(OPEN_GRID, lang, open_query, 360)),
        *_unmask_card(lang),
    ], className="mb-3")
    units_note, townships, departments = view_of.render_units(resolved)
    units = html.Section([
        html.H2(t("complaints.units.title", lang), className="sun-cp-section"),
        html.P(units_note, id=cid.UNITS_NOTE, className="sun-note"),
        dbc.Row([
            dbc.Col(card(t("complaints.units.townships", lang), "",
                         dcc.Loading(html.Div(townships, id=cid.UNITS_TOWNSHIPS), delay_show=300)), lg=7),
            dbc.Col(card(t("complaints.units.departments", lang), "",
                         dcc.Loading(html.Div(departments, id=cid.UNITS_DEPARTMENTS), delay_show=300)), lg=5),
        ], className="g-3"),
    ], className="mb-3")
    services_tiles, services_figure, ratings = view_of.render_services(resolved)
    services = html.Section([
        html.H2(t("complaints.services.title", lang), className="sun-cp-section"),
        html.Div(services_tiles, id=cid.SERVICES_TILES, className="sun-cp-tiles mb-3"),
        dbc.Row([
            dbc.Col(chart_card(cid.SERVICES_CHART, t("complaints.services.submitted", lang), "",
                               lang=lang, height=320, figure=services_figure), lg=7),
            dbc.Col(chart_card(cid.RATINGS_CHART, t("complaints.services.ratings", lang),
                               t("complaints.services.ratings_subtitle", lang), lang=lang,
                               height=200, figure=ratings), lg=5),
        ], className="g-3 mb-3"),
        card("", t("complaints.services.overdue_subtitle", lang), _grid(SERVICES_GRID, lang, services_query, 300)),
    ], className="mb-3")
    body = html.Div([
        store, _controls(lang, first, period, span, by),
        dbc.Row([dbc.Col(trend, lg=8), dbc.Col(hotspots, lg=4)], className="g-3 mb-3"),
        handling, units, services,
        html.P(t("complaints.privacy", lang), className="sun-note sun-cp-privacy"),
    ], id=cid.ROOT)
    return page_frame("complaints", state, body, region_chip=chip)
