"""Place search callbacks (components/search.py): typed text -> hits -> a pick opens the place.

Flow, for every box (the navbar's and those beside the region pickers, pattern ids):
search_value -> `DEBOUNCE_JS` (clientside: the text once typing pauses for DEBOUNCE_MS,
earlier keystrokes dropped) -> the box's text store -> `search_options` (server: the
user's scope, data/queries/region_search.py) -> the box's options. A pick -> `open_pick`
-> `_pages_location.href` (the same page with region=, or the place's profile) and the box
emptied again.
"""
from __future__ import annotations

from dash import ALL, MATCH, Input, Output, State, ctx, no_update

import ids
from callbacks.memo import memoized
from components.search import hit_option, search_href
from data.access import VIEW_DASHBOARDS
from data.codes import InvalidRegionCode, normalize_code
from data.queries import fetch_dataset_info
from data.queries.region_search import clean_text, initials_index, search_regions
from ids import search as sid
from runtime import current_scope, get_engine

RIGHT = VIEW_DASHBOARDS  # region names of the user's scope; the profile a pick opens needs it too

DEBOUNCE_MS = 250
DEBOUNCE_JS = """
function(text) {
    var key = JSON.stringify(window.dash_clientside.callback_context.inputs_list[0].id);
    var seq = window.sunSearchSeq = window.sunSearchSeq || {};
    var mine = seq[key] = (seq[key] || 0) + 1;
    return new Promise(function(resolve) {
        setTimeout(function() {
            resolve(seq[key] === mine ? (text || '') : window.dash_clientside.no_update);
        }, DELAY);
    });
}
""".replace("DELAY", str(DEBOUNCE_MS))


def search_index(scope):
    """(dataset root, pinyin initials of the scope's regions): made once per scope and data
    version (memoized), never per keystroke."""
    def compute():
        with get_engine().connect() as conn:
            root = fetch_dataset_info(conn).get("root_code")
            return root, initials_index(conn, scope, root_code=root)
    return memoized("search.index", scope, compute=compute)


def search_options(text):
    """The box's options for the typed text: the hits in the user's scope."""
    text = clean_text(text)
    scope = current_scope()
    if not text or not scope:
        return []
    root, index = search_index(scope)
    with get_engine().connect() as conn:
        hits = search_regions(conn, scope, text, root_code=root, initials=index)
    return [hit_option(hit, text) for hit in hits]


def open_pick(values, pathname, search):
    """A picked place opens on the current page (components/search.search_href); every box
    is emptied so the next pick of the same place works too. A value outside the user's
    scope (a forged request) goes nowhere."""
    picked = ctx.triggered[0]["value"] if ctx.triggered else None
    boxes = len(values) if isinstance(values, list) else 0
    stay = no_update, [no_update] * boxes  # a wildcard output wants one value per box
    if not picked or not boxes:
        return stay
    try:
        code = normalize_code(str(picked))
    except InvalidRegionCode:
        return stay
    if not current_scope().allows(code):
        return stay
    return search_href(pathname, search, code), [None] * boxes


def register(app) -> None:
    """Attach the search callbacks to `app`."""
    app.clientside_callback(DEBOUNCE_JS, Output(sid.text(MATCH), "data"),
                            Input(sid.box(MATCH), "search_value"), prevent_initial_call=True)
    app.callback(Output(sid.box(MATCH), "options"), Input(sid.text(MATCH), "data"),
                 prevent_initial_call=True)(search_options)
    app.callback(Output(ids.PAGES_LOCATION, "href", allow_duplicate=True), Output(sid.box(ALL), "value"),
                 Input(sid.box(ALL), "value"), State(ids.PAGES_LOCATION, "pathname"),
                 State(ids.PAGES_LOCATION, "search"), prevent_initial_call=True)(open_pick)
