"""The navbar: product title, every planned page, the place search and the language switch.

`NAV_PAGES` is the single list of pages the product has (built or planned); pages/
registers one module per entry and tests check that both agree. Labels and hrefs are
first rendered in the default language and then kept in step with the URL by
callbacks/shell.py, which uses `nav_props` below (a pure function, easy to test).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

import ids
from components.search import region_search
from components.state import state_href, state_query
from data.access import may_open
from i18n import LANGS, normalize_lang, t
from ids import search as sid

# (page key, path). The key names the i18n entry `nav.<key>` and the page module.
NAV_PAGES = (
    ("overview", "/"),
    ("map", "/map"),
    ("funds", "/funds"),
    ("complaints", "/complaints"),
    ("clues", "/clues"),
    ("briefing", "/briefing"),
    ("screen", "/screen"),
    ("data", "/data"),
    ("audit", "/audit"),
    ("admin", "/admin"),
)
LANG_LABEL_KEYS = {"zh-CN": "lang.zh_CN", "en": "lang.en"}


def visible_pages(role: str) -> tuple[tuple[str, str], ...]:
    """The entries of NAV_PAGES this role may open (data/access.PAGE_RIGHTS)."""
    return tuple((key, path) for key, path in NAV_PAGES if may_open(role, key))


def whoami_text(user, scope_names: list[str], lang: str) -> str:
    """'张三 · 纪委监委 · 永兴县' (name, role, jurisdiction) for the navbar."""
    if not user.role:
        return ""
    scope = "、".join(scope_names) if scope_names else t("auth.scope_all" if not user.scope else "auth.no_scope", lang)
    return t("auth.whoami", lang, name=user.display_name or user.name, role=t(f"role.{user.role}", lang), scope=scope)


def nav_props(pathname: str | None, search: str | None, default_lang: str,
              pages: tuple[tuple[str, str], ...] = NAV_PAGES) -> dict:
    """Labels, hrefs and active flags of the navbar's `pages` for the current location.

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
        "nav_labels": [t(f"nav.{key}", lang) for key, _ in pages],
        "nav_hrefs": [state_href(p, state) for _, p in pages],
        "nav_active": [p == path for _, p in pages],
        "lang_hrefs": [state_href(path, state, lang=code) for code in LANGS],
        "lang_active": [code == lang for code in LANGS],
        "lang_label": t("lang.label", lang),
        "menu_label": t("nav.menu", lang),
        "logout_label": t("auth.logout", lang),
        "password_label": t("auth.change_password", lang),
        "password_href": f"/password?lang={lang}",
    }


def _page_links(props: dict, pages) -> dbc.Nav:
    items = [
        dbc.NavItem(dbc.NavLink(label, href=href, active=active, id=ids.nav_link(key)))
        for (key, _), label, href, active in zip(
            pages, props["nav_labels"], props["nav_hrefs"], props["nav_active"])
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


def _account(props: dict, whoami: str, name: str) -> dbc.DropdownMenu:
    """The signed-in user's menu: the navbar shows their name; the menu says who they are
    (name, role, jurisdiction) and holds the password link and sign-out (a POST form)."""
    logout = html.Form(html.Button(props["logout_label"], id=ids.NAV_LOGOUT, type="submit",
                                   className="dropdown-item"),
                       action="/logout", method="POST")
    return dbc.DropdownMenu([
        html.Div(whoami, id=ids.NAV_WHOAMI, className="dropdown-header sun-whoami"),
        dbc.DropdownMenuItem(divider=True),
        dbc.DropdownMenuItem(props["password_label"], href=props["password_href"], id=ids.NAV_PASSWORD,
                             external_link=True),
        logout,
    ], label=name or "—", nav=True, in_navbar=True, align_end=True, className="sun-account")


def _search(role: str, lang: str) -> list:
    """The place search box, for the roles that may open what a pick opens (the pages and
    the region profile: data/access.PAGE_RIGHTS['region'])."""
    return [region_search(sid.NAVBAR, lang, class_name="sun-search-nav")] if may_open(role, "region") else []


def navbar(default_lang: str, role: str = "", whoami: str = "", name: str = "",
           pathname: str = "/", search: str = "") -> dbc.Navbar:
    """The navbar as first served to this user: their pages, for the page's URL (its
    language, its state in every link), so no callback has to correct it on load."""
    pages = visible_pages(role)
    props = nav_props(pathname, search, default_lang, pages)
    brand = dbc.NavbarBrand(
        [html.Span(props["brand"], id=ids.NAV_BRAND, className="sun-brand-title"),
         html.Small(props["subtitle"], id=ids.NAV_SUBTITLE, className="sun-brand-sub")],
        href=props["brand_href"], id=ids.NAV_BRAND_LINK, className="sun-brand")
    return dbc.Navbar(
        dbc.Container([
            brand,
            dbc.NavbarToggler(id=ids.NAV_TOGGLER, n_clicks=0),
            dbc.Collapse([_page_links(props, pages), *_search(role, props["lang"]), _lang_links(props),
                          dbc.Nav(_account(props, whoami, name), navbar=True)],
                         id=ids.NAV_COLLAPSE, navbar=True, is_open=False),
        ], fluid=True),
        id=ids.NAVBAR, color="dark", dark=True, expand="xl", className="sun-navbar",
    )
