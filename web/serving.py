"""How responses travel (issue #16): compression and browser caching of every response.

- Compression (flask-compress): brotli when the browser accepts it, else gzip, for text
  responses of at least 500 bytes: HTML pages, JS and CSS bundles, and Dash's JSON
  (`/_dash-layout`, `/_dash-dependencies`, `/_dash-update-component` answers). The
  component bundles (plotly alone is 4.6 MB) are compressed once per process and the
  compressed bytes kept (`_BundleCache`): their content never changes while the process
  runs. Everything else is compressed per response (a callback answer: a few ms).
- Caching: a URL that names its content's version is kept by the browser for a year and
  never revalidated (`public, max-age=31536000, immutable`): Dash's component bundles
  (`/_dash-component-suites/…/bundle.v4_4_1m1712345.min.js`, version + mtime in the name),
  assets/ files (`?m=<mtime>`) and the default favicon (`?v=<dash version>`); a new file
  gets a new URL in the page. Any other static file (an asset named without `?m=`, an
  async chunk plotly loads by its plain name) is `no-cache` with an ETag: revalidated
  every time, 304 when unchanged. Pages, layouts and callback answers stay `no-store`
  (web/security.py); /vendor/ and /geo/ set their own (app.py).
- Static responses carry no session cookie (`StaticQuietSessions`): Flask would add
  `Set-Cookie` (the session is refreshed at every request) and `Vary: Cookie` to them, and
  since the cookie's value changes at every request, a browser would never find a bundle
  in its cache under `Vary: Cookie` (and a proxy must not keep a `public` response that
  sets a cookie). The session's idle clock is kept by the page's other requests.
"""
from __future__ import annotations

import threading

from dash.fingerprint import check_fingerprint
from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSessionInterface
from flask_compress import Compress

ONE_YEAR = 31536000
IMMUTABLE = f"public, max-age={ONE_YEAR}, immutable"
SUITES = "/_dash-component-suites/"
ASSETS = "/assets/"
FAVICON = "/_favicon.ico"
_BUNDLE_KEY = "bundle:"  # the part of a cache key flask-compress builds that marks a bundle


def is_fingerprinted(path: str, args) -> bool:
    """Does this static URL name its content's version (so its bytes never change)?"""
    if path.startswith(SUITES):
        return check_fingerprint(path[len(SUITES):])[1]
    if path.startswith(ASSETS):
        return bool(args.get("m"))
    return path == FAVICON and bool(args.get("v"))


def _compress_key(req: Request) -> str:
    """flask-compress's cache key: a component bundle by its path without the fingerprint
    (one entry per file, whatever fingerprint a client puts in the URL), anything else
    a key `_BundleCache` never stores."""
    if req.path.startswith(SUITES):
        return _BUNDLE_KEY + check_fingerprint(req.path)[0]
    return "-"


class _BundleCache:
    """The compressed bytes of the component bundles, per algorithm, in this process
    (flask-compress asks this cache about every response it compresses: only bundles
    are kept, so callback answers are never served from it)."""

    def __init__(self) -> None:
        self._data: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        return self._data.get(key)

    def set(self, key: str, value: bytes) -> None:
        if _BUNDLE_KEY in key:
            with self._lock:
                self._data[key] = value


STATIC = (SUITES, ASSETS, FAVICON)
VENDOR = "/vendor/"  # bootstrap's CSS and the plotly bundle (app.py, web/bundle.py): their own headers


class _Compress(Compress):
    """flask-compress, leaving bodiless answers alone: it would mark a 204 (a callback's
    "no update") `Content-Encoding: br` with no body at all, which clients fail to decode."""

    def after_request(self, response: Response | None) -> Response:
        if response is not None and response.status_code in (204, 304):
            return response
        return super().after_request(response)


class StaticQuietSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, not saved on the responses of static files (a
    rotating Set-Cookie, with its `Vary: Cookie`, would keep browsers from reusing them)."""

    def save_session(self, app, session, response) -> None:
        if request.path.startswith((*STATIC, VENDOR)):
            return
        super().save_session(app, session, response)


def _cache_headers(resp: Response) -> Response:
    path = request.path
    if not path.startswith(STATIC) or not (200 <= resp.status_code < 300 or resp.status_code == 304):
        return resp
    if is_fingerprinted(path, request.args):
        resp.headers["Cache-Control"] = IMMUTABLE
        return resp
    resp.headers["Cache-Control"] = "no-cache"  # keep, but ask first (If-None-Match → 304)
    if resp.status_code == 200 and not resp.is_streamed:
        if resp.get_etag()[0] is None:
            resp.add_etag()
        resp.make_conditional(request)
    return resp


def install_serving(server: Flask) -> None:
    """Cache headers and compression on every response of `server` (create_app)."""
    server.config.update(
        COMPRESS_ALGORITHM=["br", "gzip"], COMPRESS_ALGORITHM_STREAMING=["br"],
        COMPRESS_BR_LEVEL=4, COMPRESS_LEVEL=6, COMPRESS_MIN_SIZE=500,
        COMPRESS_CACHE_KEY=_compress_key, COMPRESS_CACHE_BACKEND=_BundleCache,
        # files (streamed) still answer If-None-Match with 304 once compressed
        COMPRESS_STREAMING_ENDPOINT_CONDITIONAL=["static", "_dash_assets.static"])
    # after_request functions run last-registered first: the headers are set, then the
    # body is compressed (flask-compress appends ":br"/":gzip" to a strong ETag)
    _Compress(server)
    server.after_request(_cache_headers)
    server.session_interface = StaticQuietSessions()


def after_fork(server: Flask) -> None:
    """In a gunicorn worker forked from a master that built the app (preload_app): drop
    the database connections inherited from the master, so no two processes share one
    (each worker opens its own on first use). Redis clients reconnect by themselves."""
    import runtime
    runtime.engine_of(server).dispose(close=False)
