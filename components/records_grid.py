"""The shared records grid (明细表): server-side paged dash-ag-grid with CSV/XLSX export.

`records_grid(grid_key, lang)` is a block a page puts in its layout. The store
`ids_records.query(grid_key)` holds {"source": <registered source name>, "params": {...},
"lang": lang}; callbacks/records.py (pattern-matching on the grid key) sets the columns
when it changes, answers the grid's row requests from data.records.fetch_records, and
writes the exports (audited). A page that knows its query when it is laid out passes
`first=callbacks.records.grid_first_view(query)`: the columns, caption, status and first
block of rows then come with the page, and the grid's first row request is answered in the
browser (no callback round on load).
"""
from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

import runtime
from components.attrs import html_attrs
from data.access import VIEW_RECORDS
from i18n import t
from ids import records as ids_records

BLOCK_SIZE = 100
LOCALE_KEYS = ("contains", "notContains", "equals", "notEqual", "startsWith", "endsWith",
               "lessThan", "greaterThan", "lessThanOrEqual", "greaterThanOrEqual", "inRange",
               "blank", "notBlank", "andCondition", "orCondition", "filterOoo", "applyFilter",
               "resetFilter", "clearFilter", "loadingOoo", "noRowsToShow", "page", "of", "to",
               "more", "inRangeStart", "inRangeEnd", "dateFormatOoo", "pageSizeSelectorLabel")


def grid_locale(lang: str) -> dict:
    """AG Grid's own texts (filter menus, loading) in the user's language."""
    return {key: t(f"records.grid.{key}", lang) for key in LOCALE_KEYS}


def records_grid(grid_key: str, lang: str, *, height: int = 420, selectable: bool = False,
                 first: dict | None = None) -> html.Div:
    """The grid, its query store, export buttons, a status line and a Download; for a
    role without VIEW_RECORDS only a note (the server refuses the rows anyway).
    `selectable`: a click selects the row (the page reads the grid's `selectedRows`).
    `first`: the grid's first view ({"query", "columnDefs", "title", "block", "status"})."""
    first = first or {}
    if not runtime.may(VIEW_RECORDS):
        return html.Div([dcc.Store(id=ids_records.query(grid_key), data=first.get("query")),
                         html.Div(t("records.no_right", lang), className="sun-note")],
                        className="sun-records", **html_attrs({"data-records": grid_key, "data-denied": "1"}))
    grid = dag.AgGrid(
        id=ids_records.grid(grid_key),
        rowModelType="infinite",
        columnDefs=first.get("columnDefs") or [],
        defaultColDef={"sortable": True, "resizable": True, "filter": True, "minWidth": 90,
                       "floatingFilter": False},
        dashGridOptions={"cacheBlockSize": BLOCK_SIZE, "maxBlocksInCache": 20,
                         "infiniteInitialRowCount": 1, "rowBuffer": 0,
                         "localeText": grid_locale(lang), "suppressMultiSort": False,
                         "tooltipShowDelay": 300, "animateRows": False,
                         **({"rowSelection": {"mode": "singleRow", "checkboxes": False,
                                              "enableClickSelection": True}} if selectable else {})},
        style={"height": f"{height}px", "width": "100%"},
        className="sun-records-grid",
    )
    buttons = html.Div([
        dbc.Button(t("records.export.csv", lang), id=ids_records.export(grid_key, "csv"),
                   size="sm", color="light", className="me-1"),
        dbc.Button(t("records.export.xlsx", lang), id=ids_records.export(grid_key, "xlsx"),
                   size="sm", color="light"),
        dcc.Download(id=ids_records.download(grid_key)),
    ], className="sun-records-tools")
    header = html.Div([html.Div(first.get("title"), id=ids_records.title(grid_key), className="sun-records-title"),
                       buttons],
                      className="d-flex justify-content-between align-items-center gap-2 mb-2")
    return html.Div([
        dcc.Store(id=ids_records.query(grid_key), data=first.get("query")),
        dcc.Store(id=ids_records.first(grid_key), data=first.get("block")),
        dcc.Store(id=ids_records.fetch(grid_key)),
        header, grid,
        html.Div(first.get("status"), id=ids_records.status(grid_key), className="sun-note mt-1"),
    ], className="sun-records", **html_attrs({"data-records": grid_key}))
