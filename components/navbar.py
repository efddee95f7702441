"""The navbar: product title, every planned page, and the language switch.

`NAV_PAGES` is the single list of pages the product has (built or planned); pages/
registers one module per entry and tests check that both agree. Labels and hrefs are
first rendered in the default language and then kept in step with the URL by
callbacks/shell.py, which uses `nav_props` below (a pure function, easy to test).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

import ids
from components.state import state_href, state_query
from i18n import LANGS, normalize_lang, t

# (page key, path). The key names the i18n entry `nav.<key>` and the page module.
NAV_PAGES = (
    ("overview", "/"),
    ("map", "/map"),
    ("funds", "/funds"),
    ("complaints", "/complaints"),
    ("briefing", "/briefing"),
    ("screen", "/screen"),
)
LANG_LABEL_KEYS = {"zh-CN": "lang.zh_CN", "en": "lang.en"}


def nav_props(pathname: str | None, search: str | None, default_lang: str) -> dict:
    """Labels, hrefs and active flags of the navbar for the current location.

    Nav links keep the state query (region, week, lang); the language links stay on
    the current path and keep everything but `lang`.
    """
    state = state_query(search)
    lang = normalize_lang(state.get("lang") or default_lang)
    path = pathname or "/"
    return {
        "lang": lang,
        "brand": t("app.title", lang),
        "subtitle": t("app.subtitle", lang),
        "brand_href": state_href("/", state),
        "nav_labels": [t(f"nav.{key}", lang) for key, _ in NAV_PAGES],
        "nav_hrefs": [state_href(p, state) for _, p in NAV_PAGES],
        "nav_active": [p == path for _, p in NAV_PAGES],
        "lang_hrefs": [state_href(path, state, lang=code) for code in LANGS],
        "lang_active": [code == lang for code in LANGS],
        "lang_label": t("lang.label", lang),
        "menu_label": t("nav.menu", lang),
    }


def _page_links(props: dict) -> dbc.Nav:
    items = [
        dbc.NavItem(dbc.NavLink(label, href=href, active=active, id=ids.nav_link(key)))
        for (key, _), label, href, active in zip(
            NAV_PAGES, props["nav_labels"], props["nav_hrefs"], props["nav_active"])
    ]
    return dbc.Nav(items, navbar=True, className="me-auto sun-nav-pages",
                   id=ids.NAV_PAGES_MENU)


def _lang_links(props: dict) -> dbc.Nav:
    items = [dbc.NavItem(html.Span(props["lang_label"], id=ids.LANG_LABEL,
                                   className="navbar-text sun-lang-label"))]
    items += [
        dbc.NavItem(dbc.NavLink(t(LANG_LABEL_KEYS[code]), href=href, active=active,
                                id=ids.lang_link(code), className="sun-lang-link"))
        for code, href, active in zip(LANGS, props["lang_hrefs"], props["lang_active"])
    ]
    return dbc.Nav(items, navbar=True, className="sun-lang-switch")


def navbar(default_lang: str) -> dbc.Navbar:
    """The navbar as first served (default language, no query yet)."""
    props = nav_props("/", "", default_lang)
    brand = dbc.NavbarBrand(
        [html.Span(props["brand"], id=ids.NAV_BRAND, className="sun-brand-title"),
         html.Small(props["subtitle"], id=ids.NAV_SUBTITLE, className="sun-brand-sub")],
        href=props["brand_href"], id=ids.NAV_BRAND_LINK, className="sun-brand")
    return dbc.Navbar(
        dbc.Container([
            brand,
            dbc.NavbarToggler(id=ids.NAV_TOGGLER, n_clicks=0),
            dbc.Collapse([_page_links(props), _lang_links(props)],
                         id=ids.NAV_COLLAPSE, navbar=True, is_open=False),
        ], fluid=True),
        id=ids.NAVBAR, color="dark", dark=True, expand="xl", className="sun-navbar",
    )
