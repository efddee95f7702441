"""The page's first view inside the layout Dash fetches, so the first paint needs no
callback round (issue #16).

Dash pages fills its container by a callback that fires when `dcc.Location` reports the
URL after mounting. `/_dash-layout` is requested by the page itself, so its Referer (sent
same-origin, web/security.py) is the page's own URL: we render that page's layout here and
give the Location the URL it will find, so it reports no change and the router does not
run. Navigation later goes through Dash's router as before. Without a usable Referer the
container is Dash's own (empty until the router fills it).
"""
from __future__ import annotations

from urllib.parse import urlsplit

import dash
from dash import dcc, html
from dash._pages import _parse_query_string, _path_to_page
from flask import has_request_context, request

import ids

STORE_ID, DUMMY_ID = "_pages_store", "_pages_dummy"  # dash.dash._ID_STORE / _ID_DUMMY
VIEWPORT_HEADER = "X-Sunshine-Viewport"  # "1920x1080", sent with the layout request (assets/first_view.js)
MAX_VIEWPORT_PX = 16384


def viewport() -> dict:
    """{"w": px, "h": px} of the browser window that asked for the layout; {} if unknown."""
    if not has_request_context():
        return {}
    raw = request.headers.get(VIEWPORT_HEADER, "")
    parts = raw.lower().split("x")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return {}
    w, h = (int(p) for p in parts)
    return {"w": w, "h": h} if 0 < w <= MAX_VIEWPORT_PX and 0 < h <= MAX_VIEWPORT_PX else {}


def store(id_, data=None) -> dcc.Store:
    """A dcc.Store holding `data`; with no `data` prop at all when it is None: a Store
    given null reports `undefined` on mount (it differs from its empty memory), which
    would fire the callbacks listening to it."""
    return dcc.Store(id=id_) if data is None else dcc.Store(id=id_, data=data)


def page_url() -> str | None:
    """The URL of the page that requested the layout (same-origin Referer), or None."""
    if not has_request_context() or not request.referrer:
        return None
    url = urlsplit(request.referrer)
    if url.netloc != request.host:  # another origin: never render from its word
        return None
    return request.referrer


def page_location() -> tuple[str, str]:
    """(pathname, "?query" or "") of the requesting page; ("/", "") when unknown."""
    url = page_url()
    if url is None:
        return "/", ""
    parts = urlsplit(url)
    return parts.path or "/", f"?{parts.query}" if parts.query else ""


def routed_layout(pathname: str, search: str):
    """(layout, title) of the page at `pathname`, as Dash's router computes them."""
    app = dash.get_app()
    page, path_variables = _path_to_page(app.strip_relative_path(pathname))
    if not page:
        page = next((p for m, p in dash.page_registry.items() if m.split(".")[-1] == "not_found_404"), {})
    layout, title = page.get("layout", ""), page.get("title", app.title)
    if callable(layout):
        layout = layout(**{**(path_variables or {}), **_parse_query_string(search)})
    if callable(title):
        title = title(**(path_variables or {}))
    return layout, title


def page_container():
    """Dash's page container, holding the requesting page's first view when known."""
    url = page_url()
    if url is None:
        return dash.page_container
    pathname, search = page_location()
    layout, title = routed_layout(pathname, search)
    return html.Div([
        # every prop the Location compares on mount equals window.location: no setProps
        dcc.Location(id=ids.PAGES_LOCATION, refresh="callback-nav", pathname=pathname,
                     search=search, hash="", href=url.split("#", 1)[0]),
        html.Div(layout, id=ids.PAGES_CONTENT, disable_n_clicks=True),
        dcc.Store(id=STORE_ID, data={"title": title}),
        html.Div(id=DUMMY_ID, disable_n_clicks=True),
    ])
