"""The application shell and the frame every page sits in.

`app_layout` is the fixed part (navbar + Dash pages container); `page_frame` gives every
page the same header (title, region, week) and shows URL problems as a warning instead
of a traceback; `under_construction` and `not_found` are the translated cards of pages
that do not exist yet or at all.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

import ids
from components.attrs import html_attrs
from components.navbar import navbar
from components.state import PageState, state_href
from i18n import t


def app_layout(default_lang: str) -> html.Div:
    """Navbar, the pages container and a sink for the document-language callback."""
    return html.Div(id=ids.SHELL, className="sun-shell", children=[
        navbar(default_lang),
        dbc.Container(dash.page_container, fluid=True, className="sun-main"),
        html.Div(id=ids.DOC_LANG_SINK, hidden=True),
    ])


def state_links(state: PageState) -> dict[str, str]:
    """The valid state of a page as query values, for links that keep it."""
    return {k: v for k, v in (("region", state.region), ("week", state.week),
                              ("lang", state.lang)) if v}


def _header(page: str, state: PageState) -> html.Div:
    region = state.region or "—"
    chips = [html.Span(t("common.current_region", state.lang, region=region),
                       id=ids.PAGE_REGION_CHIP, className="badge text-bg-light sun-chip")]
    if state.week:
        chips.append(html.Span(t("common.current_week", state.lang, week=state.week),
                               className="badge text-bg-light sun-chip"))
    return html.Div(id=ids.PAGE_HEADER, className="sun-page-header", children=[
        html.H1(t(f"page.{page}.title", state.lang), className="sun-page-title"),
        html.Div(chips, className="sun-chips"),
    ])


def page_frame(page: str, state: PageState, *children) -> html.Div:
    """A page: header, a warning for invalid URL values (if any), then the content."""
    body = [_header(page, state)]
    if state.errors:
        body.append(dbc.Alert([html.Div(msg) for msg in state.errors], color="warning",
                              id=ids.PAGE_ALERT, className="sun-alert"))
    body.extend(children)
    return html.Div(body, id=ids.page_root(page), className="sun-page",
                    **html_attrs({"data-page": page, "data-lang": state.lang}))


def under_construction(page: str, issue: int, state: PageState) -> html.Div:
    """The page of a planned feature: what it will be and where to go meanwhile."""
    lang = state.lang
    card = dbc.Card(dbc.CardBody([
        html.Span(t("construction.badge", lang), className="badge text-bg-warning mb-2"),
        html.H2(t("construction.title", lang, page=t(f"nav.{page}", lang)), className="h4"),
        html.P(t("construction.body", lang, issue=issue)),
        dbc.Button(t("construction.link", lang), href=state_href("/", state_links(state)),
                   color="primary"),
    ]), id=ids.CONSTRUCTION_CARD, className="sun-card sun-construction")
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
