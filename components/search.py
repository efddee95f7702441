"""The place search box (地区搜索): in the navbar and beside every page's region picker.

A dcc.Dropdown whose options come from the server as the person types (callbacks/search.py:
the typed text waits for a pause in typing, then data/queries/region_search.py searches
the user's scope). Picking a place opens it on the current page (`search_href`).
Layout and pure helpers only.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.state import state_href, state_query
from data.codes import LEVELS, level_of
from data.queries.region_search import RegionHit
from i18n import t
from ids import search as sid

# The deepest level each page with a `?region=` can show: its rollups and pickers go down to
# townships (a village's numbers are on its profile, as the map's village click does);
# the briefing is written for a city or county. Any other page, and a deeper place, opens
# the region profile /region/<code>, which shows every level; on a profile, the profile.
PAGE_DEPTH = {
    "/": "township", "/map": "township", "/funds": "township", "/complaints": "township",
    "/clues": "township", "/screen": "township", "/briefing": "county",
}
PROFILE = "/region/"


def search_href(pathname: str | None, search: str | None, code: str) -> str:
    """Where picking `code` leads from the current location: the same page with
    `region=<code>` (week and lang kept) when that page can show the place's level, else
    the place's profile (week and lang kept)."""
    path, state = pathname or "/", state_query(search)
    depth = PAGE_DEPTH.get(path)
    if depth and LEVELS.index(level_of(code)) <= LEVELS.index(depth):
        short = code[:6] if code.endswith("000000") else code
        return state_href(path, state, region=short)
    return state_href(f"{PROFILE}{code}", state, region=None)


def hit_option(hit: RegionHit, text: str) -> dict:
    """A dropdown option: '云洞村 · 云江乡 · 永兴县' (names only: their endings say the level).
    Its `search` holds what the browser's own filter matches against while newer options
    are on their way: the text the server answered, the name, the code and the initials."""
    return {"label": " · ".join((hit.name, *hit.parents)), "value": hit.code,
            "search": f"{text} {hit.name} {hit.code} {hit.initials}"}


def box_labels(lang: str, where: str = "") -> dict:
    """The box's placeholder (short in the narrow navbar) and the dropdown's own texts (its
    search field, 'no match')."""
    short = where == sid.NAVBAR
    return {"placeholder": t("search.placeholder_short" if short else "search.placeholder", lang),
            "labels": {"no_options_found": t("search.none", lang), "search": t("search.input", lang),
                       "clear_search": t("search.clear", lang)}}


def region_search(where: str, lang: str, *, class_name: str = "") -> html.Div:
    """The search box with its typed-text store; `where` is 'navbar' or the page's key."""
    box = dcc.Dropdown(id=sid.box(where), options=[], value=None, searchable=True, clearable=False,
                       search_order="original", maxHeight=360, className="sun-search-box", **box_labels(lang, where))
    return html.Div([box, dcc.Store(id=sid.text(where))], className=f"sun-search {class_name}".strip())


def search_col(where: str, lang: str, **col) -> dbc.Col:
    """The box as a labelled column beside a page's region picker."""
    return dbc.Col([dbc.Label(t("search.label", lang)), region_search(where, lang)], **col)
