"""The Dash application: `create_app(settings) -> Dash`. Nothing happens at import.

`make run` runs this file; tests and WSGI servers call `create_app()` and use
`app.server`. Everything the browser loads is served by this process (DESIGN.md §1: no
internet at run time): Dash's own bundles (serve_locally), Bootstrap's CSS from the
installed `bootstrap-flask` package, the project's assets/, and map geometry under /geo/.
"""
from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path
from typing import Any

import dash
from flask import Flask, Response, abort, request, send_file
from flask_caching import Cache

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
    from components.shell import app_layout
    from data.model.db import make_engine
    from i18n import normalize_lang, t

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
    server.config["SECRET_KEY"] = settings.secret_key
    runtime.install(server, settings, make_engine(settings.database_url), make_cache(server, settings))
    _add_vendor_routes(server)
    _add_geo_routes(server)
    server.after_request(_security_headers)
    app.layout = app_layout(lang)
    register_callbacks(app)
    return app


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",          # no MIME sniffing of JSON or CSV as HTML
    "X-Frame-Options": "DENY",                    # never framed by another page (clickjacking)
    "Referrer-Policy": "no-referrer",             # URLs carry region codes: never leak them
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _security_headers(resp: Response) -> Response:
    """On every response: the headers above, and no server banner."""
    for name, value in SECURITY_HEADERS.items():
        resp.headers.setdefault(name, value)
    resp.headers.pop("Server", None)
    return resp


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

    @server.route("/geo/empty-topo.json")
    @server.route("/geo/topojson/<name>.json")
    def empty_topojson(name: str = "empty-topo"):
        return _json_response(EMPTY_TOPOJSON.encode(), etag="empty-topo")

    @server.route("/geo/<parent>/<level>.json")
    def geo_layer(parent: str, level: str):
        return _geo_layer_response(parent, level)


def _geo_layer_response(parent: str, level: str) -> Response:
    """Child-level boundaries of `parent` that the user may see, with an ETag tied to the
    data version and the scope. Under an ancestor of the scope, only the features on the
    path to the scope are sent (the ancestor's outline, never its other children)."""
    from data.codes import CHILD_LEVEL, InvalidRegionCode, normalize_code

    try:
        code = normalize_code(parent)
    except InvalidRegionCode:
        abort(404)
    scope = runtime.current_scope()
    # deny by default: an empty scope is on no path, so it sees no geometry at all
    if level not in CHILD_LEVEL.values() or not scope.on_path(code):
        abort(404)
    version = runtime.data_version()
    narrowed = not scope.allows(code)
    tag = f"{version}|{code}|{level}|{sorted(scope.codes) if narrowed else ''}"
    etag = hashlib.sha1(tag.encode(), usedforsecurity=False).hexdigest()
    if etag in request.if_none_match:
        return _json_response(b"", etag=etag, status=304)
    from sqlalchemy.exc import SQLAlchemyError

    from geo.layers import cached_layer_bytes, keep_features
    try:
        with runtime.get_engine().connect() as conn:
            body = cached_layer_bytes(conn, code, level, Path(runtime.get_settings().cache_dir), version)
    except ValueError:  # a level that is not below the parent's
        abort(404)
    except SQLAlchemyError:  # no schema or no boundaries loaded yet
        abort(503)
    if narrowed:
        body = keep_features(body, scope.on_path)
    return _json_response(body, etag=etag)


def _json_response(body: bytes, *, etag: str, status: int = 200) -> Response:
    resp = Response(body, status=status, mimetype="application/json")
    resp.set_etag(etag)
    resp.cache_control.private = True  # what a user may see depends on their scope
    resp.cache_control.max_age = ONE_DAY
    return resp


def __getattr__(name: str):
    """`app.server` for WSGI servers (`gunicorn 'app:server'`), built on first access only,
    so importing this module stays free of side effects."""
    if name == "server":
        return create_app().server
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    _settings = load_settings()
    print(f"阳光监督驾驶舱 / Sunshine Supervision Dashboard: http://127.0.0.1:{_settings.port}",
          flush=True)
    create_app(_settings).run(host="127.0.0.1", port=_settings.port, debug=False)
