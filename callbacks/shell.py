"""Callbacks of the shell: keep the navbar in step with the URL (language, state query).

The URL is the state. The layout draws the navbar for the page's URL
(components/shell.app_layout); when `_pages_location` changes later (a nav click, the
language switch), the navbar labels follow `lang` and every link keeps `region`/`week`.
"""
from __future__ import annotations

import json

from dash import ALL, Input, Output, State

import ids
import runtime
from components.navbar import nav_props, visible_pages, whoami_text
from components.search import box_labels
from components.shell import scope_names
from components.state import state_query
from i18n import normalize_lang
from ids import search as sid
from runtime import get_settings

RIGHT = None  # the shell's callbacks: any logged-in user

NAVBAR_OUTPUTS = (
    ("brand", Output(ids.NAV_BRAND, "children")),
    ("subtitle", Output(ids.NAV_SUBTITLE, "children")),
    ("brand_href", Output(ids.NAV_BRAND_LINK, "href")),
    ("nav_labels", Output(ids.nav_link(ALL), "children")),
    ("nav_hrefs", Output(ids.nav_link(ALL), "href")),
    ("nav_active", Output(ids.nav_link(ALL), "active")),
    ("lang_hrefs", Output(ids.lang_link(ALL), "href")),
    ("lang_active", Output(ids.lang_link(ALL), "active")),
    ("lang_label", Output(ids.LANG_LABEL, "children")),
    ("whoami", Output(ids.NAV_WHOAMI, "children")),
    ("logout_label", Output(ids.NAV_LOGOUT, "children")),
    ("password_label", Output(ids.NAV_PASSWORD, "children")),
    ("password_href", Output(ids.NAV_PASSWORD, "href")),
)

# Sets <html lang> (screen readers, CJK font choice) and closes/toggles the mobile menu.
_DOC_LANG_JS = """
function(search) {
    var lang = new URLSearchParams(search || '').get('lang') || %s;
    document.documentElement.lang = lang.toLowerCase().indexOf('en') === 0 ? 'en' : 'zh-CN';
    return window.dash_clientside.no_update;
}
"""
_TOGGLE_JS = """
function(nClicks, pathname, isOpen) {
    var ctx = window.dash_clientside.callback_context;
    var trig = ctx.triggered.length ? ctx.triggered[0].prop_id : '';
    return trig.indexOf('n_clicks') >= 0 ? !isOpen : false;
}
"""


def update_navbar(pathname: str | None, search: str | None) -> tuple:
    """Navbar labels, hrefs and active flags of this user's pages, and who they are, for
    the current URL, in output order."""
    user = runtime.current_user()
    props = nav_props(pathname, search, get_settings().lang, visible_pages(user.role))
    props["whoami"] = whoami_text(user, scope_names(user.scope), props["lang"])
    return tuple(props[key] for key, _ in NAVBAR_OUTPUTS)


def search_box_labels(search: str | None, boxes: list[dict]) -> tuple[list, list]:
    """Placeholder and texts of every place search box on screen in the URL's language (the
    navbar's is first drawn in the default one); UI text only, so any signed-in user."""
    lang = normalize_lang(state_query(search).get("lang") or get_settings().lang)
    texts = [box_labels(lang, box.get("where", "") if isinstance(box, dict) else "") for box in boxes or []]
    return [x["placeholder"] for x in texts], [x["labels"] for x in texts]


def register(app) -> None:
    """Attach the shell callbacks to `app`."""
    app.callback(
        *[output for _, output in NAVBAR_OUTPUTS],
        Input(ids.PAGES_LOCATION, "pathname"),
        Input(ids.PAGES_LOCATION, "search"),
        prevent_initial_call=True,  # the layout draws the navbar for the page's URL
    )(update_navbar)
    app.callback(Output(sid.box(ALL), "placeholder"), Output(sid.box(ALL), "labels"),
                 Input(ids.PAGES_LOCATION, "search"), State(sid.box(ALL), "id"),
                 prevent_initial_call=True)(search_box_labels)
    default = json.dumps(normalize_lang(runtime.settings_of(app.server).lang))
    app.clientside_callback(_DOC_LANG_JS % default, Output(ids.DOC_LANG_SINK, "children"),
                            Input(ids.PAGES_LOCATION, "search"))
    app.clientside_callback(_TOGGLE_JS, Output(ids.NAV_COLLAPSE, "is_open"),
                            Input(ids.NAV_TOGGLER, "n_clicks"),
                            Input(ids.PAGES_LOCATION, "pathname"),
                            State(ids.NAV_COLLAPSE, "is_open"))
