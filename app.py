"""The Dash application: `create_app(settings) -> Dash`. Nothing happens at import.

`make run` runs this file; tests and WSGI servers call `create_app()` and use
`app.server`. Everything the browser loads is served by this process (DESIGN.md §1: no
internet at run time): Dash's own bundles (serve_locally), Bootstrap's CSS from the
installed `bootstrap-flask` package, the project's assets/, and map geometry under /geo/.
"""
from __future__ import annotations

import hashlib
import re
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

import dash
from flask import Flask, Response, abort, request, send_file
from flask_caching import Cache
from werkzeug.serving import WSGIRequestHandler

import runtime
from settings import PROJECT_ROOT, Settings, load_settings

BOOTSTRAP_CSS_URL = "/vendor/bootstrap.min.css"
_BOOTSTRAP_DIR = ("static", "bootstrap5", "css")
_VENDOR_FILES = ("bootstrap.min.css", "bootstrap.min.css.map")
ONE_DAY = 86400
# Every layer plotly's go.Choropleth (geo) reads, empty: offline base map (DESIGN.md §4).
_GEO_LAYERS = ("coastlines", "land", "ocean", "lakes", "rivers", "countries", "subunits")
EMPTY_TOPOJSON = (
    '{"type":"Topology","arcs":[],"objects":{'
    + ",".join(f'"{n}":{{"type":"GeometryCollection","geometries":[]}}' for n in _GEO_LAYERS)
    + "}}"
)

INDEX_STRING = """<!DOCTYPE html>
<html lang="%(lang)s">
    <head>
        {%%metas%%}
        <title>{%%title%%}</title>
        {%%favicon%%}
        {%%css%%}
    </head>
    <body>
        {%%app_entry%%}
        <footer>
            {%%config%%}
            {%%scripts%%}
            {%%renderer%%}
        </footer>
    </body>
</html>"""


class SunshineDash(dash.Dash):
    """Dash whose index page names no outside address at all.

    Dash's front-end config carries the URL of plotly's version-check service (used
    only by the debug UI); on an intranet page we blank it so the HTML is self-contained.
    """

    def interpolate_index(self, *args: Any, **kwargs: Any) -> str:
        kwargs["config"] = _VERSION_URL_RE.sub('"dash_version_url":""', kwargs["config"])  # Dash passes keywords
        return super().interpolate_index(*args, **kwargs)


_VERSION_URL_RE = re.compile(r'"dash_version_url":"[^"]*"')


def create_app(settings: Settings | None = None) -> dash.Dash:
    """Build the Dash app: pages, shell callbacks, engine, cache and static routes."""
    from callbacks import register_callbacks
    from components.shell import app_layout, guard_pages
    from data.model.db import make_engine
    from i18n import normalize_lang, t
    from web.auth import install_auth, secret_key
    from web.bundle import install_plotly_bundle
    from web.security import install_security, set_csp
    from web.serving import install_serving

    settings = settings or load_settings()
    lang = normalize_lang(settings.lang)
    app = SunshineDash(
        __name__, use_pages=True, pages_folder=str(PROJECT_ROOT / "pages"),
        assets_folder=str(PROJECT_ROOT / "assets"), serve_locally=True,
        external_stylesheets=[BOOTSTRAP_CSS_URL], external_scripts=[],
        suppress_callback_exceptions=True, title=t("app.title", lang),
        update_title="",  # no "Updating..." title while callbacks run (Dash: None or "")
    )
    app.index_string = INDEX_STRING % {"lang": lang}
    server = app.server
    server.config["SECRET_KEY"] = secret_key(settings)
    runtime.install(server, settings, make_engine(settings.database_url), make_cache(server, settings))
    install_security(server, max_body_mb=settings.max_body_mb)
    install_serving(server)  # compression, cache headers of bundles and assets
    install_auth(server)
    _add_vendor_routes(server)
    _add_geo_routes(server)
    install_plotly_bundle(app)  # plotly.js of our traces only, when `make bundle` built it
    app.layout = partial(app_layout, lang)  # per page load: this user's pages and name
    register_callbacks(app)
    set_csp(server, lambda: list(app.csp_hashes()))  # clientside callbacks are inline scripts too
    guard_pages(dash.page_registry)
    return app


def make_cache(server: Flask, settings: Settings) -> Cache:
    """flask-caching: Redis when REDIS_URL is set, else files under CACHE_DIR/flask."""
    config: dict[str, object]
    if settings.redis_url:
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": settings.redis_url}
    else:
        folder = Path(settings.cache_dir) / "flask"
        folder.mkdir(parents=True, exist_ok=True)
        config = {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(folder),
                  "CACHE_THRESHOLD": 5000}
    config.update(CACHE_DEFAULT_TIMEOUT=3600, CACHE_KEY_PREFIX="sunshine:")
    return Cache(server, config=config)


def bootstrap_file(name: str) -> Path:
    """A file of Bootstrap 5's CSS folder inside the installed bootstrap-flask package."""
    return Path(str(resources.files("flask_bootstrap").joinpath(*_BOOTSTRAP_DIR, name)))


def _add_vendor_routes(server: Flask) -> None:
    """/vendor/bootstrap.min.css (+ its source map), from site-packages, never a CDN."""

    @server.route("/vendor/<name>")
    def vendor_file(name: str):
        if name not in _VENDOR_FILES:
            abort(404)
        return send_file(bootstrap_file(name), max_age=ONE_DAY, conditional=True)


def _add_geo_routes(server: Flask) -> None:
    """Map geometry as cacheable URLs (DESIGN.md §4), and the empty base topojson."""

    from views.geometry import TOPOJSON_URL

    @server.route("/geo/empty-topo.json")
    @server.route(f"{TOPOJSON_URL}<name>.json")
    def empty_topojson(name: str = "empty-topo"):
        return _json_response(EMPTY_TOPOJSON.encode(), etag="empty-topo")

    @server.route("/geo/<parent>/<level>.json")
    def geo_layer(parent: str, level: str):
        return _geo_layer_response(parent, level)


def _geo_layer_response(parent: str, level: str) -> Response:
    """Child-level boundaries of `parent` that the user may see (views/geometry.py), with
    an ETag tied to the data version and the scope."""
    from sqlalchemy.exc import SQLAlchemyError

    from geo.layers import LAYER_FORMAT
    from views.geometry import scoped_layer
    scope = runtime.current_scope()
    version = runtime.data_version()
    tag = f"{LAYER_FORMAT}|{version}|{parent}|{level}|{sorted(scope.codes)}"
    etag = hashlib.sha1(tag.encode(), usedforsecurity=False).hexdigest()
    if etag in request.if_none_match:
        return _json_response(b"", etag=etag, status=304)
    try:
        body = scoped_layer(runtime.get_engine(), scope, parent, level,
                            cache_dir=Path(runtime.get_settings().cache_dir), version=version)
    except SQLAlchemyError:  # no schema or no boundaries loaded yet
        abort(503)
    if body is None:
        abort(404)
    return _json_response(body, etag=etag)


def _json_response(body: bytes, *, etag: str, status: int = 200) -> Response:
    resp = Response(body, status=status, mimetype="application/json")
    resp.set_etag(etag)
    resp.cache_control.private = True  # what a user may see depends on their scope
    resp.cache_control.max_age = ONE_DAY
    return resp


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler of `make run`, without its `Server: Werkzeug/… Python/…`
    banner (the app's own responses carry none either)."""

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() != "server":
            super().send_header(keyword, value)


def __getattr__(name: str):
    """`app.server` for WSGI servers (`gunicorn 'app:server'`), built on first access only,
    so importing this module stays free of side effects."""
    if name == "server":
        return create_app().server
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    _settings = load_settings()
    from exports.images import start_kaleido_in_background
    start_kaleido_in_background()  # the image renderer is ready before the first export
    print(f"阳光监督驾驶舱 / Sunshine Supervision Dashboard: http://127.0.0.1:{_settings.port}",
          flush=True)
    create_app(_settings).run(host="127.0.0.1", port=_settings.port, debug=False,
                              request_handler=QuietRequestHandler)
