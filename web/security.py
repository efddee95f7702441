"""Headers on every response and checks on every request that are not about who asks.

- Content-Security-Policy: scripts, styles, images, fonts and connections from this
  origin only; the one inline script Dash writes (the renderer's start) is allowed by its
  hash (`Dash.csp_hashes`). Plotly and React set styles at run time, so styles allow
  'unsafe-inline' (no script can run from a style). Map workers start from blob: URLs.
- nosniff, frame-ancestors 'none' + X-Frame-Options DENY, referrer only to this site,
  COOP same-origin,
  and no Server banner.
- State-changing requests (POST ...) that the browser says come from another site
  (Sec-Fetch-Site), or whose Origin (or Referer) names another host: 403.
- Bodies over `max_body_mb`: 413 (Flask's MAX_CONTENT_LENGTH).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from dash.exceptions import InvalidCallbackReturnValue
from flask import Flask, Response, abort, request

# What a callback raises when its request is not one its page sends
MALFORMED_INPUT = (TypeError, AttributeError, KeyError, IndexError, ValueError, PermissionError,
                   InvalidCallbackReturnValue)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",          # no MIME sniffing of JSON or CSV as HTML
    "X-Frame-Options": "DENY",                    # never framed by another page (clickjacking)
    # URLs carry region codes: never sent to another site ("no-referrer" would also make
    # the browser send `Origin: null` on our own form posts, defeating the Origin check)
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/vendor/", "/_favicon.ico")


def content_security_policy(script_hashes: Sequence[str]) -> str:
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *script_hashes]),
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "worker-src": "'self' blob:",
        "child-src": "'self' blob:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


CSP_KEY = "SUNSHINE_CSP"


DASH_UPDATE = "/_dash-update-component"
log = logging.getLogger(__name__)


def _malformed_callback_request(exc: Exception):
    """A callback request the pages never send (a list for a dict, an unknown key, a
    malformed code, outputs that do not match): 'no update' (204, as PreventUpdate), not a
    500. The page's own messages for bad URL values come from its state checks."""
    if request.path != DASH_UPDATE:
        raise exc
    log.warning("malformed callback request refused: %r", exc)
    return Response(status=204)


def install_security(server: Flask, *, max_body_mb: int) -> None:
    """The request checks and response headers; the CSP itself is set by `set_csp` once
    every inline script (clientside callbacks) is known."""
    server.config["MAX_CONTENT_LENGTH"] = max_body_mb * 1024 * 1024
    server.config[CSP_KEY] = list

    def add_headers(resp: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            resp.headers.setdefault(name, value)
        resp.headers.setdefault("Content-Security-Policy", content_security_policy(server.config[CSP_KEY]()))
        if not request.path.startswith(STATIC_PREFIXES) and "Cache-Control" not in resp.headers:
            # pages, layouts and callback answers depend on who asks: never kept by a
            # browser or a proxy (the geometry route sets its own private caching)
            resp.headers["Cache-Control"] = "no-store, private"
        resp.headers.pop("Server", None)
        return resp

    server.after_request(add_headers)
    server.before_request(check_origin)
    for kind in MALFORMED_INPUT:
        server.register_error_handler(kind, _malformed_callback_request)


def _host_of(url: str) -> str:
    return urlsplit(url).netloc if url and url != "null" else url


def check_origin() -> None:
    """403 for a state-changing request sent from another site (cross-site request forgery).

    Browsers send Origin on every POST they make; a request without Origin and Referer
    comes from a program, which a forged form cannot be."""
    if request.method in SAFE_METHODS:
        return
    site = request.headers.get("Sec-Fetch-Site")  # set by the browser, not by page scripts
    if site is not None and site not in ("same-origin", "none"):
        abort(403)
    sent = request.headers.get("Origin") or request.headers.get("Referer", "")
    # host and port only: behind a TLS proxy the scheme seen here differs from the browser's
    if sent and _host_of(sent) != request.host:
        abort(403)


def set_csp(server: Flask, script_hashes: Callable[[], Sequence[str]]) -> None:
    """The policy allows exactly the inline scripts `script_hashes()` names (Dash's
    `csp_hashes`: the renderer's start and every clientside callback, including those
    Dash pages adds at its first request; hashing them per response costs microseconds)."""
    server.config[CSP_KEY] = script_hashes
