"""Data intake (数据接入) for the data administrator: upload exchange files, follow the
import, see what was rejected and why (and download it to fix), the import history and
the templates. Layout only; callbacks/data.py wires it."""
from __future__ import annotations

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.chart import card
from components.records_grid import grid_locale
from components.shell import page_frame
from components.state import current_state
from data.intake.datasets import LOAD_ORDER
from data.intake.history import HISTORY_COLUMNS
from data.intake.reporting import DUE_DATASETS
from i18n import t
from ids import data as did

dash.register_page(__name__, path="/data", name="data", order=7,
                   title=f"{t('nav.data')} · {t('app.title')}")

REJECTED_GRID_COLUMNS = ("file", "line", "column", "value", "reason", "reason_en")
_WIDE = {"file": 2, "reason": 3, "reason_en": 3, "value": 2}
_MIN_WIDTH = {"file": 200, "started_at": 170, "user": 120, "sha256": 120, "reason": 220, "reason_en": 220,
              "dataset": 120, "status": 90, "updated": 120, "unchanged": 128, "rejected": 120, "seconds": 120}


def _grid(grid_id: str, columns, lang: str, height: int) -> dag.AgGrid:
    return dag.AgGrid(
        id=grid_id, rowData=[],
        columnDefs=[{"field": c, "headerName": t(f"data.col.{c}", lang), "flex": _WIDE.get(c, 1),
                     "minWidth": _MIN_WIDTH.get(c, 100), "tooltipField": c} for c in columns],
        defaultColDef={"sortable": True, "resizable": True, "filter": True, "wrapHeaderText": True,
                       "autoHeaderHeight": True},
        dashGridOptions={"localeText": grid_locale(lang), "animateRows": False, "pagination": True,
                         "paginationPageSize": 50, "enableCellTextSelection": True},
        style={"height": f"{height}px", "width": "100%"}, className="sun-records-grid")


def _upload_card(lang: str) -> dbc.Card:
    return card(t("data.upload.title", lang), t("data.upload.subtitle", lang),
                dcc.Upload(id=did.DA_UPLOAD, multiple=True, accept=".csv,.xlsx,.xlsm",
                           children=html.Div(t("data.upload.drop", lang)), className="sun-upload"),
                html.Div(t("data.upload.hint", lang), className="sun-note mt-2"),
                html.Div(id=did.DA_STATUS, className="sun-data-status mt-2", role="status"),
                dbc.Progress(id=did.DA_PROGRESS, value=0, striped=True, animated=True,
                             className="mt-2", style={"visibility": "hidden"}),
                dcc.Store(id=did.DA_JOB), dcc.Interval(id=did.DA_POLL, interval=800, disabled=True))


def _template_card(lang: str) -> dbc.Card:
    shown = "{name}（{key}）" if lang == "zh-CN" else "{name} ({key})"
    options = [{"label": shown.format(name=t(f"data.dataset.{d}", lang), key=d), "value": d} for d in LOAD_ORDER]
    return card(t("data.template.title", lang), t("data.template.subtitle", lang),
                html.Div([dcc.Dropdown(id=did.DA_TEMPLATE, options=options, value=LOAD_ORDER[0], clearable=False,
                                       className="flex-grow-1"),
                          dbc.Button(t("data.template.get", lang), id=did.DA_TEMPLATE_GET, color="light")],
                         className="d-flex gap-2 align-items-center"),
                dcc.Download(id=did.DA_TEMPLATE_DOWNLOAD))


def layout(region=None, week=None, lang=None, **query):
    state = current_state(region, week, lang)
    lang = state.lang
    summary = card(t("data.summary.title", lang), t("data.summary.subtitle", lang),
                   html.Div(t("data.summary.empty", lang), id=did.DA_SUMMARY, className="sun-data-summary"))
    rejected = card(t("data.rejected.title", lang), t("data.rejected.subtitle", lang),
                    html.Div(dbc.Button(t("data.rejected.report", lang), id=did.DA_REPORT, color="light", size="sm",
                                        disabled=True), className="mb-2"),
                    _grid(did.DA_REJECTED, REJECTED_GRID_COLUMNS, lang, 320),
                    dcc.Download(id=did.DA_REPORT_DOWNLOAD))
    datasets = [{"label": t(f"data.dataset.{d}", lang), "value": d} for d in DUE_DATASETS]
    reporting = card(t("data.reporting.title", lang), t("data.reporting.subtitle", lang),
                     html.Div([dbc.Label(t("data.reporting.dataset", lang), html_for=did.DA_REPORTING_DATASET,
                                         className="me-2 mb-0"),
                               dbc.RadioItems(id=did.DA_REPORTING_DATASET, options=datasets, value=DUE_DATASETS[0],
                                              inline=True, className="me-4"),
                               dbc.Label(t("data.reporting.month", lang), html_for=did.DA_REPORTING_MONTH,
                                         className="me-2 mb-0"),
                               dcc.Dropdown(id=did.DA_REPORTING_MONTH, clearable=False, searchable=False,
                                            style={"minWidth": "160px"})],
                              className="d-flex flex-wrap align-items-center mb-2"),
                     dcc.Loading(html.Div(id=did.DA_REPORTING), delay_show=300))
    history = card(t("data.history.title", lang), t("data.history.subtitle", lang),
                   _grid(did.DA_HISTORY, HISTORY_COLUMNS, lang, 420))
    body = html.Div([
        dcc.Store(id=did.DA_LANG, data=lang),
        dbc.Row([dbc.Col(_upload_card(lang), lg=7), dbc.Col(_template_card(lang), lg=5)], className="g-3 mb-3"),
        dbc.Row([dbc.Col(reporting, lg=12)], className="g-3 mb-3"),
        dbc.Row([dbc.Col(summary, lg=12)], className="g-3 mb-3"),
        dbc.Row([dbc.Col(rejected, lg=12)], className="g-3 mb-3"),
        dbc.Row([dbc.Col(history, lg=12)], className="g-3"),
    ], id=did.DA_ROOT)
    return page_frame("data", state, body)
