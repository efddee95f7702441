"""The application shell and the frame every page sits in.

`app_layout` is the fixed part (navbar + Dash pages container); `page_frame` gives every
page the same header (title, region, week) and shows URL problems as a warning instead
of a traceback; `under_construction` and `not_found` are the translated cards of pages
that do not exist yet or at all.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from sqlalchemy.exc import SQLAlchemyError

import ids
import runtime
from components.attrs import html_attrs
from components.first_view import page_container, page_location
from components.navbar import nav_props, navbar, visible_pages, whoami_text
from components.state import PageState, state_href
from data.access import may_open
from i18n import t


def app_layout(default_lang: str) -> html.Div:
    """Navbar (this user's pages and name), the pages container and a sink for the
    document-language callback. Called for every page load (`app.layout` is a function)."""
    user = runtime.current_user()
    pathname, search = page_location()
    lang = nav_props(pathname, search, default_lang)["lang"]
    return html.Div(id=ids.SHELL, className="sun-shell", children=[
        navbar(default_lang, user.role, whoami_text(user, scope_names(user.scope), lang),
               user.display_name or user.name, pathname=pathname, search=search),
        dbc.Container(page_container(), fluid=True, className="sun-main"),
        html.Div(id=ids.DOC_LANG_SINK, hidden=True),
    ])


def state_links(state: PageState) -> dict[str, str]:
    """The valid state of a page as query values, for links that keep it."""
    return {k: v for k, v in (("region", state.region), ("week", state.week),
                              ("lang", state.lang)) if v}


def _header(page: str, state: PageState, region_chip: str | None = None) -> html.Div:
    region = state.region or "—"
    chips = [html.Span(region_chip or t("common.current_region", state.lang, region=region),
                       id=ids.PAGE_REGION_CHIP, className="badge text-bg-light sun-chip")]
    if state.week:
        chips.append(html.Span(t("common.current_week", state.lang, week=state.week),
                               className="badge text-bg-light sun-chip"))
    return html.Div(id=ids.PAGE_HEADER, className="sun-page-header", children=[
        html.H1(t(f"page.{page}.title", state.lang), className="sun-page-title"),
        html.Div(chips, className="sun-chips"),
    ])


def page_frame(page: str, state: PageState, *children, region_chip: str | None = None) -> html.Div:
    """A page: header, a warning for invalid URL values (if any), then the content.
    `region_chip`: the header's region text when the page resolved it (first view)."""
    body = [_header(page, state, region_chip)]
    if state.errors:
        body.append(dbc.Alert([html.Div(msg) for msg in state.errors], color="warning",
                              id=ids.PAGE_ALERT, className="sun-alert"))
    body.extend(children)
    return html.Div(body, id=ids.page_root(page), className="sun-page",
                    **html_attrs({"data-page": page, "data-lang": state.lang}))


def under_construction(page: str, issue: int, state: PageState) -> html.Div:
    """The page of a planned feature: what it will be and where to go meanwhile (the
    overview, or the first other page this user's role may open; none if there is none)."""
    lang = state.lang
    elsewhere = [path for key, path in visible_pages(runtime.current_user().role) if key != page]
    body = [html.Span(t("construction.badge", lang), className="badge text-bg-warning mb-2"),
            html.H2(t("construction.title", lang, page=t(f"nav.{page}", lang)), className="h4")]
    if elsewhere and elsewhere[0] == "/":
        body += [html.P(t("construction.body", lang, issue=issue)),
                 dbc.Button(t("construction.link", lang), href=state_href("/", state_links(state)), color="primary")]
    else:
        body.append(html.P(t("construction.body_soon", lang, issue=issue)))
        if elsewhere:
            body.append(dbc.Button(t("auth.forbidden.link", lang), href=state_href(elsewhere[0], state_links(state)),
                                   color="primary"))
    card = dbc.Card(dbc.CardBody(body), id=ids.CONSTRUCTION_CARD, className="sun-card sun-construction")
    return page_frame(page, state, card)


def not_found(state: PageState) -> html.Div:
    """The 404 page, in the language of the URL."""
    lang = state.lang
    card = dbc.Card(dbc.CardBody([
        html.H1(t("notfound.title", lang), className="h3"),
        html.P(t("notfound.body", lang)),
        dbc.Button(t("notfound.link", lang), href=state_href("/", state_links(state)),
                   color="primary"),
    ]), id=ids.NOT_FOUND_CARD, className="sun-card sun-not-found")
    return html.Div(card, id=ids.page_root("not_found"), className="sun-page",
                    **html_attrs({"data-page": "not_found", "data-lang": lang}))


def scope_names(codes) -> list[str]:
    """Names of the user's jurisdiction codes (the code itself when it is not loaded)."""
    if not codes:
        return []
    from data.queries import fetch_region
    from data.scope import Scope
    scope = Scope.of(*codes)
    try:
        with runtime.get_engine().connect() as conn:
            found = {c: fetch_region(conn, scope, c) for c in scope.codes}
    except SQLAlchemyError:  # no schema yet
        found = {}
    return [(found.get(c) or {}).get("name") or c for c in sorted(scope.codes)]


def forbidden(page: str, state: PageState) -> html.Div:
    """What a page shows to a role that may not open it (the server refuses its
    callbacks too; this card only explains), with a link to a page the role may use."""
    lang, role = state.lang, runtime.current_user().role
    allowed = visible_pages(role)
    body = [html.H1(t("auth.forbidden.title", lang), className="h3"),
            html.P(t("auth.forbidden.body", lang, role=t(f"role.{role}", lang) if role else "—"))]
    if allowed:
        body.append(dbc.Button(t("auth.forbidden.link", lang), href=state_href(allowed[0][1], state_links(state)),
                               color="primary"))
    card = dbc.Card(dbc.CardBody(body), id=ids.FORBIDDEN_CARD, className="sun-card sun-not-found")
    return html.Div(card, id=ids.page_root(page), className="sun-page",
                    **html_attrs({"data-page": page, "data-lang": lang, "data-forbidden": "1"}))


def guarded_layout(page: str, layout):
    """`layout` of a page, or the forbidden card for a role that may not open it."""
    from components.state import current_state

    if getattr(layout, "guarded_page", None):  # create_app ran before on this registry
        return layout

    def guarded(**kwargs):
        if may_open(runtime.current_user().role, page):
            return layout(**kwargs) if callable(layout) else layout
        return forbidden(page, current_state(kwargs.get("region"), kwargs.get("week"), kwargs.get("lang")))
    guarded.guarded_page = page  # type: ignore[attr-defined]
    return guarded


def guard_pages(registry) -> None:
    """Wrap every registered page's layout with its right (data/access.PAGE_RIGHTS)."""
    for page in registry.values():
        page["layout"] = guarded_layout(page["module"].rsplit(".", 1)[-1], page["layout"])
