"""Problem clues (问题线索): the discipline commission's worklist.

The URL query is the state: region, lang plus the list's filters `rule`, `status`,
`deadline` (near | overdue), `handler` (a unit's region code or none), `score` (the
lowest), the funnel's breakdown `by` (county | rule) and `clue` (the card that is open).
The layout resolves it and fills every section with the functions of callbacks/clues.py,
so the page (and the URL's card) arrives drawn; a control change writes the URL back, so a
shared link opens the same list and card.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from callbacks import clues as view
from callbacks.records import grid_first_view
from components.chart import card, chart_card
from components.first_view import store
from components.records_grid import records_grid
from components.search import search_col
from components.shell import page_frame
from components.state import current_state
from i18n import t
from ids import clues as cid

dash.register_page(__name__, path="/clues", name="clues", order=4,
                   title=f"{t('nav.clues')} · {t('app.title')}")

QUERY_KEYS = ("rule", "status", "deadline", "handler", "score", "by", "clue")


def _single(value):
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    return value if isinstance(value, str) and len(value) <= 40 else None


def _control(label: str, component, **col) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=component.id), component], **col)


def _controls(lang: str, first: tuple) -> dbc.Row:
    """The filters, with the options and values `callbacks.clues.resolve_state` resolved."""
    (regions, region, rules, rule, statuses, status, deadlines, deadline, handlers, handler,
     score, _by, as_of, _chip, _resolved) = first

    def dropdown(id_, placeholder_key, options, value, **kw):
        return dcc.Dropdown(id=id_, placeholder=t(placeholder_key, lang), options=options, value=value, **kw)
    return dbc.Row([
        _control(t("clues.controls.region", lang), dcc.Dropdown(id=cid.REGION, clearable=False, searchable=True,
                                                                options=regions, value=region), md=6, lg=3),
        search_col("clues", lang, md=6, lg=3),
        _control(t("clues.controls.rule", lang), dropdown(cid.RULE, "clues.controls.all", rules, rule), md=6, lg=3),
        _control(t("clues.controls.status", lang), dropdown(cid.STATUS, "clues.controls.all", statuses, status),
                 sm=6, lg=2),
        _control(t("clues.controls.deadline", lang), dropdown(cid.DEADLINE, "clues.controls.all", deadlines, deadline),
                 sm=6, lg=2),
        _control(t("clues.controls.score", lang),
                 dbc.Input(id=cid.SCORE, type="number", min=0, max=100, step=5, debounce=True,
                           placeholder="0–100", value=score), sm=6, lg=2),
        _control(t("clues.controls.handler", lang), dropdown(cid.HANDLER, "clues.controls.all", handlers, handler,
                                                             searchable=True), md=6, lg=4),
        dbc.Col(html.Div(as_of, id=cid.ASOF, className="sun-asof"), lg=8,
                className="d-flex align-items-end justify-content-lg-end"),
    ], className="g-2 mb-3 sun-controls")


def _card_modal(modal_id: str, title_id: str, body_id: str, result_id: str, size: str,
                opened: tuple = (False, None, None)) -> dbc.Modal:
    """A card's modal: its title, its body and the result of an action; `opened` is
    (is_open, title, body) as `render_card` gives them (the URL's card, on load)."""
    is_open, title, body = (opened[0], None, None) if opened[1] is dash.no_update else opened
    return dbc.Modal([
        dbc.ModalHeader(dbc.ModalTitle(title, id=title_id)),
        dbc.ModalBody(dcc.Loading(html.Div(body, id=body_id), delay_show=200)),
        dbc.ModalFooter(html.Div(id=result_id, role="status", className="me-auto")),
    ], id=modal_id, size=size, scrollable=True, is_open=bool(is_open))


def _warnings(lang: str, resolved: dict) -> html.Section:
    """The risk warnings' closed loop: tiles, overdue units, the list and a warning's card."""
    only = dbc.RadioItems(id=cid.W_ONLY, inline=True, value="open", className="sun-radio mb-2",
                          options=[{"label": t(f"warnings.only.{k}", lang), "value": k} for k in ("open", "overdue", "all")])
    units = chart_card(cid.W_UNITS_CHART, t("warnings.units.title", lang), t("warnings.units.subtitle", lang),
                       lang=lang, height=320, figure=view.render_warning_units(resolved))
    listing = card(t("warnings.list.title", lang), t("warnings.list.subtitle", lang), only,
                   records_grid(cid.W_LIST_GRID, lang, height=380, selectable=True,
                                first=grid_first_view(view.warning_grid_query(resolved, "open"))))
    modal = _card_modal(cid.W_CARD, cid.W_CARD_TITLE, cid.W_CARD_BODY, cid.W_RESULT, "lg")
    return html.Section([
        html.H2(t("warnings.title", lang), className="sun-cp-section mt-4"),
        dcc.Loading(html.Div(view.render_warning_tiles(resolved), id=cid.W_TILES, className="sun-kpis mb-3"),
                    delay_show=300),
        dbc.Row([dbc.Col(units, lg=5), dbc.Col(listing, lg=7)], className="g-3 mb-3"), modal,
    ], id=cid.W_SECTION)


def layout(region=None, week=None, lang=None, **query):
    """The clues page for the URL's state (the week is not a filter here: every clue in
    the jurisdiction, open ones by their deadlines)."""
    state = current_state(region, None, lang)
    lang = state.lang
    values = {key: _single(query.get(key)) for key in QUERY_KEYS}
    first = view.resolve_state({"region": state.region, "lang": lang, **values})
    resolved, by_value, chip = first[-1], first[11], first[13]
    opened = view.open_clue(resolved, None)
    stores = html.Div([dcc.Store(id=cid.RESOLVED, data=resolved), store(cid.OPEN, opened),
                       dcc.Store(id=cid.MOVED), dcc.Store(id=cid.W_OPEN), dcc.Store(id=cid.W_MOVED)])
    by = dbc.RadioItems(id=cid.BY, inline=True, value=by_value or "county", className="sun-radio",
                        options=[{"label": t(f"clues.by.{b}", lang), "value": b} for b in ("county", "rule")])
    funnel = chart_card(cid.FUNNEL_CHART, t("clues.funnel.title", lang), t("clues.funnel.subtitle", lang),
                        lang=lang, height=340, below=by, figure=view.render_funnel(resolved))
    rules = card(t("clues.rules.title", lang), t("clues.rules.subtitle", lang),
                 dcc.Loading(html.Div(view.render_rules(resolved), id=cid.RULES, className="sun-clue-rules"),
                             delay_show=300))
    listing = card(t("clues.list.title", lang), t("clues.list.subtitle", lang),
                   records_grid(cid.LIST_GRID, lang, height=440, selectable=True,
                                first=grid_first_view(view.grid_query(resolved))))
    modal = _card_modal(cid.CARD, cid.CARD_TITLE, cid.CARD_BODY, cid.MOVE_RESULT, "xl",
                        opened=view.render_card(opened, None, resolved))
    body = html.Div([
        stores, _controls(lang, first),
        dcc.Loading(html.Div(view.render_tiles(resolved), id=cid.TILES, className="sun-kpis mb-3"), delay_show=300),
        dbc.Row([dbc.Col(funnel, lg=6), dbc.Col(rules, lg=6)], className="g-3 mb-3"),
        listing, modal, _warnings(lang, resolved),
        html.P(t("clues.privacy", lang), className="sun-note mt-2"),
    ], id=cid.ROOT)
    return page_frame("clues", state, body, region_chip=chip)
