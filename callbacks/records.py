"""Records grid wiring (components/records_grid.py), pattern-matched on the grid key.

- `grid_columns`: the store's source -> column defs (translated headers, filter kind)
  and the caption.
- `grid_rows`: a row request -> getRowsResponse via data.records.fetch_records (scope
  from the server, never from the browser; sort/filter whitelisted there). The browser
  answers the grid's first request itself from the block the layout brought
  (`grid_first_view`, `FIRST_BLOCK_JS`) and relays every other request to the server.
- `grid_export`: every row of the current query + filter + sort (up to EXPORT_CAP, the
  file says when it was cut) as CSV (UTF-8 BOM) or XLSX, formula cells neutralised,
  written to audit_log.
A clientside callback purges the grid's row cache when the query changes.
"""
from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode

import pandas as pd
from dash import MATCH, Input, Output, State, ctx, dcc, no_update

from callbacks.memo import memoized
from components.records_grid import BLOCK_SIZE
from data.access import VIEW_RECORDS
from data.calendar import format_week
from data.records import MAX_ROWS, RecordSource, fetch_records, get_source, load_sources
from exports.tables import (
    display_frame,
    frame_to_csv_bytes,
    frame_to_xlsx_bytes,
    headed,
)
from i18n import catalog, normalize_lang, t
from ids import records as ids_records
from runtime import audit_event, current_scope, get_engine, may

RIGHT = VIEW_RECORDS  # what these callbacks need (checked on the server, callbacks/__init__.py)

EXPORT_CAP = MAX_ROWS
FILTERS = {"text": "agTextColumnFilter", "code": "agTextColumnFilter",
           "number": "agNumberColumnFilter", "money": "agNumberColumnFilter",
           "date": "agDateColumnFilter", "datetime": "agDateColumnFilter"}
FILTER_OPTIONS = {
    "text": ["contains", "notContains", "equals", "startsWith", "blank", "notBlank"],
    "code": ["contains", "equals"],
    "number": ["equals", "greaterThan", "lessThan", "inRange", "blank"],
    "date": ["equals", "greaterThan", "lessThan", "inRange", "blank", "notBlank"],
}


# a column shown as a link to /region/<code>, and the field holding the code
PROFILE_LINKS = {"village": "village_code", "region": "region_code"}


def _filter_model(request) -> dict:
    """The grid's filter model (AG Grid's filterModel), {} when none."""
    return (request or {}).get("filterModel") or {}


def _query(query) -> tuple[RecordSource | None, dict, str]:
    """(source, params, lang) of the store; no source when it is unknown or needs a right
    the user lacks (problem clues: VIEW_CLUES), so rows, columns and exports all refuse."""
    query = query if isinstance(query, dict) else {}
    params = query.get("params") if isinstance(query.get("params"), dict) else {}
    source = get_source(query.get("source"))
    if source is not None and source.right is not None and not may(source.right):
        source = None
    return source, params, normalize_lang(query.get("lang"))


def profile_query(query, lang: str) -> str:
    """The query string of the profile links: lang, plus the week and period the grid shows.

    A page may say them (`query["link"] = {"week": "2026-W46", "period": "4w"}`, the map and
    the profile do); otherwise the week is the last of `params["weeks"]`.
    """
    query = query if isinstance(query, dict) else {}
    link = query.get("link") if isinstance(query.get("link"), dict) else {}
    params = query.get("params") if isinstance(query.get("params"), dict) else {}
    out = {}
    week = link.get("week")
    if not week and params.get("weeks"):
        try:
            week = format_week(int(max(params["weeks"])))
        except (TypeError, ValueError):
            week = None
    if week:
        out["week"] = str(week)
    if link.get("period") and link["period"] != "week":
        out["period"] = str(link["period"])
    out["lang"] = lang
    return urlencode(out)


def column_defs(source, lang: str, query: dict | None = None) -> list[dict]:
    """AG Grid column defs of a source: translated header, filter and number format;
    region cells link to the profile at the grid's week and period (`profile_query`)."""
    suffix = json.dumps("?" + profile_query(query, lang))
    defs = []
    for col in source.columns:
        kind = col.kind
        d = {"field": col.field, "headerName": t(col.label_key, lang),
             "filter": FILTERS[kind],
             "filterParams": {"filterOptions": FILTER_OPTIONS.get(
                 {"money": "number", "datetime": "date"}.get(kind, kind)),
                 "maxNumConditions": 1, "buttons": ["apply", "reset"], "closeOnApply": True}}
        if kind in ("money", "number") and (col.field == "id" or col.field.endswith("_id")):
            d["type"] = "rightAligned"  # an identifier: digits as they are, no 1,234 grouping
        elif kind in ("money", "number"):
            d["type"] = "rightAligned"
            fmt = "d3.format(',.2f')(params.value)" if kind == "money" else "d3.format(',')(params.value)"
            d["valueFormatter"] = {"function": f"params.value == null ? '' : {fmt}"}
        if kind == "text" and col.field in ("content",):
            d.update({"tooltipField": col.field, "flex": 2, "minWidth": 220})
        code_field = PROFILE_LINKS.get(col.field)
        if code_field and code_field in source.fields:  # the region's profile, one click away
            d.update({"cellRenderer": "markdown", "valueGetter": {"function": (
                f"params.data ? '[' + params.data.{col.field} + '](/region/' + "
                f"params.data.{code_field} + {suffix} + ')' : ''")}})
        defs.append(d)
    return defs


def grid_columns(query):
    """Column defs and caption for the store's source (none for an unknown source)."""
    source, _params, lang = _query(query)
    if source is None:
        return [], ""
    return column_defs(source, lang, query), t(source.label_key, lang)


def query_changed(query):
    """A page set a new query: its columns and caption, and the layout's first block
    dropped (it is the old query's rows)."""
    return (*grid_columns(query), None)


def _sort(request) -> list[tuple[str, bool]]:
    out = []
    for item in (request or {}).get("sortModel") or []:
        if isinstance(item, dict) and isinstance(item.get("colId"), str):
            out.append((item["colId"], item.get("sort") == "desc"))
    return out


def _filters(source, request, lang: str) -> dict:
    """The grid's filter model; a text filter on a code column matches its labels."""
    model = _filter_model(request)
    if not isinstance(model, dict):
        return {}
    out = {}
    for field, spec in model.items():
        col = source.column(field) if isinstance(field, str) else None
        if col is None or not isinstance(spec, dict):
            continue
        if col.kind == "code":
            spec = _code_filter(col, spec, lang)
        out[field] = spec
    return out


def _code_filter(col, spec: dict, lang: str) -> dict:
    """{'filterType': 'set', 'values': codes whose label (or code) matches the text}."""
    text = str(spec.get("filter") or "").strip().lower()
    if not text:
        return {}
    cat = catalog(lang)
    codes = set()
    for key, label in cat.items():
        for prefix in (f"{col.codes}.", f"records.{col.codes}."):
            if key.startswith(prefix):
                code = key[len(prefix):]
                hay = (label.lower(), code.lower())
                if (spec.get("type") == "equals" and text in hay) or \
                        (spec.get("type") != "equals" and any(text in h for h in hay)):
                    codes.add(code)
    if spec.get("type") != "equals" or not codes:
        codes.add(text)  # a raw code typed in
    return {"filterType": "set", "values": sorted(codes)}


def query_rows(query, request, *, offset: int, limit: int) -> tuple[pd.DataFrame, int, RecordSource | None, str]:
    """(shown rows, total, source, lang) of the store's query and the grid's sort/filter."""
    source, params, lang = _query(query)
    if source is None:
        return pd.DataFrame(), 0, None, lang
    with get_engine().connect() as conn:
        frame, total = fetch_records(conn, current_scope(), source.name, params,
                                     sort=_sort(request), filters=_filters(source, request, lang),
                                     offset=offset, limit=limit)
    return display_frame(source, frame, lang), total, source, lang


def grid_rows(request, query):
    """getRowsRequest -> getRowsResponse ({rowData, rowCount}) for one block of rows, and
    the status line ('N records')."""
    if not isinstance(request, dict):
        return no_update, no_update
    source, params, lang = _query(query)
    try:
        start = max(0, int(request.get("startRow") or 0))
        end = max(start, int(request.get("endRow") or start + 100))
    except (TypeError, ValueError):
        return {"rowData": [], "rowCount": 0}, t("records.status.none", lang)
    if source is None:
        return {"rowData": [], "rowCount": 0}, t("records.status.none", lang)

    def compute():
        rows, total, _, _ = query_rows(query, request, offset=start, limit=min(end - start, 1000))
        return {"rowData": records_of(rows), "rowCount": total}
    key = json.dumps([query, _sort(request), _filter_model(request), start, end],
                     sort_keys=True, default=str)
    response = memoized("records.rows", current_scope(), key, compute=compute)
    if start == 0:  # a new query, sort or filter (later blocks are the same view scrolled)
        _audit_view(source, params, request, response["rowCount"])
    total = response["rowCount"]
    status = t("records.status.count", lang, n=f"{total:,}")
    if total > EXPORT_CAP:
        status = t("records.status.more", lang, n=f"{EXPORT_CAP:,}")
    return response, status


FIRST_REQUEST = {"startRow": 0, "endRow": BLOCK_SIZE, "sortModel": [], "filterModel": {}}


def grid_first_view(query: dict) -> dict:
    """What `components.records_grid(first=...)` needs to arrive drawn: the query, the
    columns and caption, the first block of rows (as the grid's first request, unsorted
    and unfiltered, would get it; audited like any view) and the status line."""
    columns, title = grid_columns(query)
    block, status = grid_rows(FIRST_REQUEST, query) if columns else (None, None)
    return {"query": query, "columnDefs": columns, "title": title, "block": block, "status": status}


def records_of(shown: pd.DataFrame) -> list[dict]:
    """JSON-ready row dicts of a shown frame (None for missing values)."""
    shown = shown.astype(object)
    return shown.where(pd.notna(shown), None).to_dict("records")


def export_payload(query, request, fmt: str) -> tuple[dict | None, int, int]:
    """The dcc.send_bytes payload of the export, and (rows written, rows matching)."""
    rows, total, source, lang = query_rows(query, request, offset=0, limit=EXPORT_CAP)
    if source is None:
        return None, 0, 0
    table = headed(source, rows, lang)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
    params = _query(query)[1]
    region = str(params.get("region") or "")
    base = f"{source.name}-{region}-{stamp}"
    if total > len(rows):  # say so in the file itself
        note = t("records.export.capped", lang, n=f"{len(rows):,}", total=f"{total:,}")
        table = pd.concat([table, pd.DataFrame([{table.columns[0]: note}])], ignore_index=True)
    if fmt == "xlsx":
        data = frame_to_xlsx_bytes(table, sheet=t(source.label_key, lang))
        payload = dcc.send_bytes(data, f"{base}.xlsx")
    else:
        payload = dcc.send_bytes(frame_to_csv_bytes(table), f"{base}.csv")
    _audit(source.name, fmt, region, {"rows": len(rows), "total": total,
                                      "params": params, "sort": _sort(request),
                                      "filters": _filter_model(request)})
    return payload, len(rows), total


def _audit(source_name: str, fmt: str, region: str, detail: dict) -> None:
    """One audit_log row per export (who, what, where, how many rows)."""
    audit_event(f"export_{fmt}", f"records:{source_name}", region_code=region, detail=detail)


def _audit_view(source: RecordSource, params: dict, request, total: int) -> None:
    """One audit_log row per records view: the source, its parameters, sort and filters."""
    audit_event("records_view", f"records:{source.name}", region_code=params.get("region"),
                detail={"params": params, "sort": _sort(request), "rows": total, "filters": _filter_model(request)})


def grid_export(_csv, _xlsx, query, request):
    """A click on CSV or XLSX: the file, or nothing for an unknown source."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not (_csv or _xlsx):
        return no_update
    payload, _, _ = export_payload(query, request, "xlsx" if trigger.get("fmt") == "xlsx" else "csv")
    return payload if payload is not None else no_update


PURGE_JS = """
function(columnDefs, id) {
    if (window.dash_ag_grid && window.dash_ag_grid.getApiAsync) {
        window.dash_ag_grid.getApiAsync(id).then(function(api) {
            if (api && api.purgeInfiniteCache) { api.purgeInfiniteCache(); }
        }).catch(function() {});
    }
    return window.dash_clientside.no_update;
}
"""


# The grid's row request: the first unsorted, unfiltered block is the one the layout brought
# (used once; cleared so a later refetch of the same rows asks the server); any other goes
# to the server through the fetch store. Only plain fields cross (no AG Grid callbacks).
FIRST_BLOCK_JS = """
function(request, first) {
    var nu = window.dash_clientside.no_update;
    if (!request) { return [nu, nu, nu]; }
    var sorted = (request.sortModel || []).length > 0;
    var filtered = Object.keys(request.filterModel || {}).length > 0;
    if (first && request.startRow === 0 && !sorted && !filtered) {
        return [{rowData: first.rowData, rowCount: first.rowCount}, nu, null];
    }
    return [nu, {startRow: request.startRow, endRow: request.endRow,
                 sortModel: request.sortModel || [], filterModel: request.filterModel || {}}, nu];
}
"""


def register(app) -> None:
    """Attach the records-grid callbacks (every grid key, via MATCH)."""
    load_sources()
    key = MATCH
    app.callback(Output(ids_records.grid(key), "columnDefs"), Output(ids_records.title(key), "children"),
                 Output(ids_records.first(key), "data"),
                 Input(ids_records.query(key), "data"), prevent_initial_call=True)(query_changed)
    app.clientside_callback(PURGE_JS, Output(ids_records.title(key), "title"),
                            Input(ids_records.grid(key), "columnDefs"),
                            State(ids_records.grid(key), "id"), prevent_initial_call=True)
    app.clientside_callback(FIRST_BLOCK_JS, Output(ids_records.grid(key), "getRowsResponse"),
                            Output(ids_records.fetch(key), "data"),
                            Output(ids_records.first(key), "data", allow_duplicate=True),
                            Input(ids_records.grid(key), "getRowsRequest"),
                            State(ids_records.first(key), "data"), prevent_initial_call=True)
    app.callback(Output(ids_records.grid(key), "getRowsResponse", allow_duplicate=True),
                 Output(ids_records.status(key), "children"),
                 Input(ids_records.fetch(key), "data"),
                 State(ids_records.query(key), "data"), prevent_initial_call=True)(grid_rows)
    app.callback(Output(ids_records.download(key), "data"),
                 Input(ids_records.export(key, "csv"), "n_clicks"),
                 Input(ids_records.export(key, "xlsx"), "n_clicks"),
                 State(ids_records.query(key), "data"),
                 State(ids_records.grid(key), "getRowsRequest"),
                 prevent_initial_call=True)(grid_export)
