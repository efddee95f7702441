"""Audit log (审计日志) for the auditor: who did what, when, from where; filters, the hash
chain's state and an export. Layout only; callbacks/audit.py fills it."""
from __future__ import annotations

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.records_grid import grid_locale
from components.shell import page_frame
from components.state import current_state
from i18n import t
from ids import audit as aid

dash.register_page(__name__, path="/audit", name="audit", order=8,
                   title=f"{t('nav.audit')} · {t('app.title')}")

COLUMNS = ("id", "at", "user", "action", "object", "region_code", "address", "detail")


def _filters(lang: str) -> dbc.Row:
    return dbc.Row([
        dbc.Col([dbc.Label(t("audit.filter.user", lang), html_for=aid.AU_USER),
                 dcc.Dropdown(id=aid.AU_USER, placeholder=t("audit.filter.any", lang))], md=3),
        dbc.Col([dbc.Label(t("audit.filter.action", lang), html_for=aid.AU_ACTION),
                 dcc.Dropdown(id=aid.AU_ACTION, placeholder=t("audit.filter.any", lang))], md=3),
        dbc.Col([dbc.Label(t("audit.filter.dates", lang), html_for=aid.AU_DATES),
                 html.Div(dcc.DatePickerRange(id=aid.AU_DATES, display_format="YYYY-MM-DD",
                                              clearable=True, start_date_placeholder_text=t("audit.filter.from", lang),
                                              end_date_placeholder_text=t("audit.filter.to", lang)))], md=4),
        dbc.Col(dbc.Button(t("audit.export", lang), id=aid.AU_EXPORT, color="light", size="sm"),
                md=2, className="d-flex align-items-end justify-content-md-end"),
    ], className="g-2 mb-3 sun-controls")


def layout(region=None, week=None, lang=None, **query):
    state = current_state(region, week, lang)
    lang = state.lang
    grid = dag.AgGrid(
        id=aid.AU_GRID, rowData=[],
        columnDefs=[{"field": c, "headerName": t(f"audit.column.{c}", lang), "flex": 3 if c == "detail" else 1}
                    for c in COLUMNS],
        defaultColDef={"sortable": True, "resizable": True, "filter": True, "minWidth": 90},
        dashGridOptions={"localeText": grid_locale(lang), "animateRows": False, "pagination": True,
                         "paginationPageSize": 50},
        style={"height": "560px", "width": "100%"}, className="sun-records-grid")
    body = html.Div([
        dcc.Store(id=aid.AU_LANG, data=lang),
        html.Div(id=aid.AU_CHAIN, className="mb-2"),
        _filters(lang),
        html.Div(id=aid.AU_COUNT, className="sun-note mb-1"),
        grid, dcc.Download(id=aid.AU_DOWNLOAD),
    ], id=aid.AU_ROOT)
    return page_frame("audit", state, body)
