"""Clues page callbacks: resolve the URL state, then tiles, funnel, rules, list and card.

Flow: STATE (from the URL) -> `resolve_state` fills the pickers and RESOLVED -> the render
callbacks; a control change writes the URL (`controls_to_url`). A row picked in the list
(or `clue=` in the URL) opens the card, an audited records view. MOVED (written by
callbacks/clue_actions.py after a move) re-renders the card, tiles, funnel, rules and list;
results are memoized per scope and data version, which a move changes.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, html, no_update
from dash.exceptions import MissingCallbackContextException

import ids
from callbacks.chart_export import ChartSource, register_exports
from callbacks.memo import memoized
from callbacks.page_state import as_of_line, page_lang, region_chip
from components.attrs import html_attrs
from components.clue_card import clue_card, warning_card
from components.state import STATE_KEYS
from data.access import VIEW_CLUES
from i18n import t
from i18n.numbers import format_value
from ids import clues as cid
from ids import records as ids_records
from runtime import audit_event, current_scope, get_engine
from views import clues as view

RIGHT = VIEW_CLUES  # what these callbacks need (checked on the server, callbacks/__init__.py)

PAGE_KEYS = ("rule", "status", "deadline", "handler", "score", "by", "clue")
STATE_FIELDS = ("region", *PAGE_KEYS)


def resolve_state(state: dict):
    """Pickers' options and values, the as-of line, the header chip, the resolved view."""
    state, scope, lang = state or {}, current_scope(), page_lang(state)
    resolved = memoized("cl.resolve", scope, *[state.get(k) for k in STATE_FIELDS], lang,
                        compute=lambda: view.resolve(get_engine(), scope, state))
    options = memoized("cl.options", scope, resolved.get("root"), resolved.get("region"), lang,
                       compute=lambda: view.picker_options(get_engine(), scope, resolved))
    return (options["regions"], resolved.get("region"), options["rules"], resolved["rule"],
            options["statuses"], resolved["status"], options["deadlines"], resolved["deadline"],
            options["handlers"], resolved["handler"], resolved["score"], resolved["by"],
            as_of_line(resolved, lang), region_chip(resolved.get("region_name"), lang), resolved)


def controls_to_url(region, rule, status, deadline, handler, score, by, resolved, search):
    """A user's pick becomes the URL (the state); the resolved values never loop back. A
    changed filter closes the card (its clue may not be in the new list)."""
    if not resolved:
        return no_update
    picked = {"region": region, "rule": rule, "status": status, "deadline": deadline, "handler": handler,
              "score": score, "by": by}
    if all(picked[k] == resolved.get(k) for k in picked):
        return no_update
    parsed = parse_qs((search or "").lstrip("?"))
    query = {k: parsed[k][-1] for k in (*STATE_KEYS, *PAGE_KEYS) if parsed.get(k) and k not in ("clue", "week")}
    for key, value in picked.items():
        query.pop(key, None)
        if value not in (None, ""):
            query[key] = f"{value:g}" if isinstance(value, float) else str(value)
    return "?" + urlencode({k: query[k] for k in (*STATE_KEYS, *PAGE_KEYS) if query.get(k)})


def _key(resolved: dict | None, *extra) -> tuple:
    r = resolved or {}
    return (*[r.get(k) for k in STATE_FIELDS], r.get("lang"), *extra)


TILES = (("clues", "count"), ("open", "count"), ("near", "count"), ("overdue", "count"), ("amount", "yuan"),
         ("precision", "rate"))


def render_tiles(resolved, _moved=None):
    """Six tiles: clues, open, 临期, 超期, amount involved, precision of decided clues."""
    if not resolved:
        return no_update
    scope, lang = current_scope(), page_lang(resolved)
    summary = memoized("cl.tiles", scope, *_key(resolved), compute=lambda: view.summary_view(
        get_engine(), scope, resolved))
    tiles = []
    for key, unit in TILES:
        value = summary[key]
        tone = {"near": "sun-watch", "overdue": "sun-bad"}.get(key, "") if value else ""
        tiles.append(dbc.Col(html.Div([
            html.Div(t(f"clues.tile.{key}", lang), className="sun-kpi-label"),
            html.Div(format_value(value, unit, lang), className=f"sun-kpi-value {tone}"),
            html.Div(t(f"clues.tile.{key}.note", lang, decided=summary["decided"], near=resolved.get("near_days", 3)),
                     className="sun-kpi-vs"),
        ], className="sun-kpi", **html_attrs({"data-key": key, "data-value": str(value)})), xs=6, md=4, xxl=2))
    return dbc.Row(tiles, className="g-2")


def render_funnel(resolved, _moved=None):
    if not resolved:
        return no_update
    scope = current_scope()
    return memoized("cl.funnel", scope, *_key(resolved), compute=lambda: view.funnel_view(
        get_engine(), scope, resolved).to_plotly_json())


def render_rules(resolved, _moved=None):
    """Each rule: its name and finding, thresholds, hits, amount and precision."""
    if not resolved:
        return no_update
    scope, lang = current_scope(), page_lang(resolved)
    rows = memoized("cl.rules", scope, resolved.get("region"), lang,
                    compute=lambda: view.rules_view(get_engine(), scope, resolved))
    head = html.Thead(html.Tr([html.Th(t(f"clues.rules.col.{c}", lang), className="text-nowrap") for c in
                               ("rule", "hits", "open", "filed", "false_positives", "precision")]))
    body = []
    for r in rows:
        opened = r["flagged"] + r["verifying"] + r["verified"]
        name = html.Div([html.Span(r["name"], className="fw-semibold"),
                         html.Span(t("clues.rules.off", lang), className="badge text-bg-secondary ms-1")
                         if not r["on"] else None,
                         html.Div(r["params"], className="sun-note small")], title=r["finding"])
        body.append(html.Tr([
            html.Td(name), html.Td(f"{r['hits']:,}", className="text-end"),
            html.Td(f"{opened:,}", className="text-end"), html.Td(f"{r['filed']:,}", className="text-end"),
            html.Td(f"{r['false_positives']:,}", className="text-end"),
            html.Td(format_value(r["precision"], "rate", lang) if r["decided"] else "—", className="text-end",
                    title=t("clues.rules.precision_note", lang, decided=r["decided"]))],
            **html_attrs({"data-rule": r["code"]})))
    return html.Div(dbc.Table([head, html.Tbody(body)], size="sm", hover=True, className="mb-0"),
                    className="table-responsive")


def grid_query(resolved, moved=None):
    """The clue list's records query (a move changes it, so the grid reloads its rows)."""
    if not resolved:
        return no_update
    return {**view.grid_query(resolved), "moved": moved}


def _trigger():
    """The input that fired the callback (None when called outside one: the bench, tests,
    a page's layout served with `/_dash-layout`)."""
    try:
        return ctx.triggered_id
    except (MissingCallbackContextException, LookupError):
        return None


def open_clue(resolved, selected):
    """The clue whose card is open: a row picked in the list, else the URL's `clue`."""
    if _trigger() == ids_records.grid(cid.LIST_GRID):
        row = (selected or [None])[0]
        return row.get("id") if isinstance(row, dict) and row.get("id") is not None else no_update
    return (resolved or {}).get("clue")


def render_card(clue_id, moved, resolved):
    """The modal: open with the card of `clue_id` (an audited records view), else closed."""
    lang = page_lang(resolved)
    if clue_id in (None, ""):
        return False, no_update, no_update
    try:
        clue_id = int(clue_id)
    except (TypeError, ValueError):
        return False, no_update, no_update
    scope = current_scope()
    card = view.card_view(get_engine(), scope, clue_id, lang)
    if card is not None and _trigger() != cid.MOVED:
        audit_event("clue_view", f"clue:{clue_id}", region_code=card["region"]["code"],
                    detail={"rule": card["rule"], "status": card["status"]})
    handlers = memoized("cl.options", scope, (resolved or {}).get("root"), (resolved or {}).get("region"), lang,
                        compute=lambda: view.picker_options(get_engine(), scope, resolved or {"lang": lang}))
    title = t("clues.card.title", lang, id=clue_id, rule=card["rule_name"]) if card else t("clues.card.title_none",
                                                                                           lang)
    return True, title, clue_card(card, [h for h in handlers["handlers"] if h["value"] != "none"], lang)


# --- risk warnings -------------------------------------------------------------------------

WARNING_TILES = (("raised", "count"), ("closed", "count"), ("closure_rate", "rate"), ("avg_days_to_close", "days"),
                 ("open", "count"), ("overdue", "count"))


def _warnings(resolved) -> dict:
    scope = current_scope()
    return memoized("cl.warnings", scope, resolved.get("region"), page_lang(resolved), compute=lambda: {
        **(v := view.warnings_view(get_engine(), scope, resolved)), "figure": v["figure"].to_plotly_json()})


def render_warning_tiles(resolved, _moved=None):
    """Six tiles of the warnings' closed loop: raised, closed, closure rate (预警销号率),
    average days to close, open, overdue."""
    if not resolved:
        return no_update
    lang, summary = page_lang(resolved), _warnings(resolved)["summary"]
    tiles = []
    for key, unit in WARNING_TILES:
        value = summary[key]
        shown = (t("warnings.days", lang, n=f"{value:.1f}") if value is not None else "—") if unit == "days" \
            else format_value(value, unit, lang)
        tone = "sun-bad" if key == "overdue" and value else ""
        tiles.append(dbc.Col(html.Div([html.Div(t(f"warnings.tile.{key}", lang), className="sun-kpi-label"),
                                       html.Div(shown, className=f"sun-kpi-value {tone}")], className="sun-kpi",
                                      **html_attrs({"data-key": key, "data-value": str(value)})), xs=6, md=4, xxl=2))
    return dbc.Row(tiles, className="g-2")


def render_warning_units(resolved, _moved=None):
    if not resolved:
        return no_update
    return _warnings(resolved)["figure"]


def warning_grid_query(resolved, only, moved=None):
    if not resolved:
        return no_update
    return {**view.warning_grid_query(resolved, only), "moved": moved}


def open_warning(selected):
    row = (selected or [None])[0]
    return row.get("id") if isinstance(row, dict) and row.get("id") is not None else no_update


def render_warning_card(warning_id, moved, resolved):
    lang = page_lang(resolved)
    try:
        warning_id = int(warning_id)
    except (TypeError, ValueError):
        return False, no_update, no_update
    card = view.warning_card_view(get_engine(), current_scope(), warning_id)
    if card is not None and _trigger() != cid.W_MOVED:
        audit_event("warning_view", f"warning:{warning_id}", region_code=card["region_code"])
    title = t("warnings.card.title", lang, no=card.get("warning_no") or warning_id) if card else \
        t("warnings.card.title_none", lang)
    return True, title, warning_card(card, lang)


CHARTS = {cid.FUNNEL_CHART: ChartSource(State(cid.RESOLVED, "data"), render_funnel),
          cid.W_UNITS_CHART: ChartSource(State(cid.RESOLVED, "data"), render_warning_units)}


def register(app) -> None:
    """Attach the clues page callbacks to `app`."""
    # pages/clues.py draws the first view with these functions: they run on a change only
    changed = {"prevent_initial_call": True}
    app.callback(Output(ids.PAGES_LOCATION, "search", allow_duplicate=True),
                 Input(cid.REGION, "value"), Input(cid.RULE, "value"), Input(cid.STATUS, "value"),
                 Input(cid.DEADLINE, "value"), Input(cid.HANDLER, "value"), Input(cid.SCORE, "value"),
                 Input(cid.BY, "value"), State(cid.RESOLVED, "data"), State(ids.PAGES_LOCATION, "search"),
                 prevent_initial_call=True)(controls_to_url)
    moved = Input(cid.MOVED, "data")
    app.callback(Output(cid.TILES, "children"), Input(cid.RESOLVED, "data"), moved, **changed)(render_tiles)
    app.callback(Output(ids.chart(cid.FUNNEL_CHART), "figure"), Input(cid.RESOLVED, "data"), moved,
                 **changed)(render_funnel)
    app.callback(Output(cid.RULES, "children"), Input(cid.RESOLVED, "data"), moved, **changed)(render_rules)
    app.callback(Output(ids_records.query(cid.LIST_GRID), "data"), Input(cid.RESOLVED, "data"), moved,
                 **changed)(grid_query)
    app.callback(Output(cid.OPEN, "data"), Input(cid.RESOLVED, "data"),
                 Input(ids_records.grid(cid.LIST_GRID), "selectedRows"), **changed)(open_clue)
    app.callback(Output(cid.CARD, "is_open"), Output(cid.CARD_TITLE, "children"), Output(cid.CARD_BODY, "children"),
                 Input(cid.OPEN, "data"), moved, State(cid.RESOLVED, "data"), **changed)(render_card)
    wmoved = Input(cid.W_MOVED, "data")
    app.callback(Output(cid.W_TILES, "children"), Input(cid.RESOLVED, "data"), wmoved,
                 **changed)(render_warning_tiles)
    app.callback(Output(ids.chart(cid.W_UNITS_CHART), "figure"), Input(cid.RESOLVED, "data"),
                 wmoved, **changed)(render_warning_units)
    app.callback(Output(ids_records.query(cid.W_LIST_GRID), "data"), Input(cid.RESOLVED, "data"),
                 Input(cid.W_ONLY, "value"), wmoved, **changed)(warning_grid_query)
    app.callback(Output(cid.W_OPEN, "data"), Input(ids_records.grid(cid.W_LIST_GRID), "selectedRows"),
                 prevent_initial_call=True)(open_warning)
    app.callback(Output(cid.W_CARD, "is_open"), Output(cid.W_CARD_TITLE, "children"),
                 Output(cid.W_CARD_BODY, "children"), Input(cid.W_OPEN, "data"), wmoved,
                 State(cid.RESOLVED, "data"), prevent_initial_call=True)(render_warning_card)
    register_exports(app, CHARTS)
