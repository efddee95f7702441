"""The region profile's clues and warnings of the place, together (the commission's: the
section needs VIEW_CLUES, checked on the server; other roles get no such section)."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html

from callbacks.memo import memoized
from components.attrs import html_attrs
from data.access import VIEW_CLUES
from i18n import t
from ids import map as ids_map
from runtime import current_scope, get_engine
from views.clues import place_oversight_view

RIGHT = VIEW_CLUES  # what these callbacks need (checked on the server, callbacks/__init__.py)
LEVEL_COLOURS = {"red": "danger", "orange": "warning", "yellow": "info"}


def render_oversight(view):
    """One table: date, clue or warning, rule or level, the finding or title, its state; each
    row opens it on /clues."""
    if not isinstance(view, dict) or not view.get("region"):
        return None
    scope, lang, region = current_scope(), view.get("lang", "zh-CN"), view["region"]
    frame = memoized("rg.oversight", scope, region, lang,
                     compute=lambda: place_oversight_view(get_engine(), scope, region, lang))
    if frame.empty:
        return html.Div(t("region.oversight.none", lang), className="sun-note")
    rows = []
    for r in frame.to_dict("records"):
        clue = r["kind"] == "clue"
        what = t(f"clue_rule.{r['what']}", lang) if clue else dbc.Badge(t(f"warning_level.{r['what']}", lang),
                                                                       color=LEVEL_COLOURS.get(r["what"], "secondary"))
        state = t(f"clue_status.{r['state']}", lang) if clue else t(f"warnings.state.{r['state']}", lang)
        href = f"/clues?region={region}&clue={r['id']}&lang={lang}" if clue else f"/clues?region={region}&lang={lang}"
        rows.append(html.Tr([html.Td(str(r["day"])), html.Td(t(f"region.oversight.kind.{r['kind']}", lang)),
                             html.Td(what), html.Td(dcc.Link(r["title"], href=href, className="sun-link")),
                             html.Td(state)], **html_attrs({"data-kind": r["kind"]})))
    head = html.Thead(html.Tr([html.Th(t(f"region.oversight.col.{c}", lang), className="text-nowrap")
                               for c in ("day", "kind", "what", "title", "state")]))
    return html.Div(dbc.Table([head, html.Tbody(rows)], size="sm", hover=True, className="sun-card-table mb-0"),
                    className="table-responsive")


def register(app) -> None:
    app.callback(Output(ids_map.REGION_OVERSIGHT, "children"), Input(ids_map.REGION_VIEW, "data"),
                 prevent_initial_call=True)(render_oversight)  # first view: pages/region.py
