"""plotly.js of only the product's trace types, served in place of dcc's full bundle.

`make bundle` builds web/plotly-bundle/index.js (plotly.js core + the traces it registers)
with esbuild into var/build/plotly-custom.min.js. When that file exists, `install_plotly_bundle`
serves it at a fingerprinted URL (/vendor/plotly/plotly-custom.<sha1>.min.js, cached a year,
immutable) and loads it as an external script, which Dash places before the component
bundles: `window.Plotly` is then set when dcc.Graph first renders, and dcc never fetches its
own plotly.min.js (it loads that only when `window.Plotly` is unset). When the file is
missing (no npm at setup), nothing changes: dcc loads the full bundle as before.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import dash
from flask import Response, abort

from settings import PROJECT_ROOT

BUNDLE_FILE = PROJECT_ROOT / "var" / "build" / "plotly-custom.min.js"
BUNDLE_ENTRY = PROJECT_ROOT / "web" / "plotly-bundle" / "index.js"
URL_PREFIX = "/vendor/plotly/"
ONE_YEAR = 31536000


def bundle_url(body: bytes) -> str:
    digest = hashlib.sha1(body, usedforsecurity=False).hexdigest()
    return f"{URL_PREFIX}plotly-custom.{digest}.min.js"


def install_plotly_bundle(app: dash.Dash, path: Path = BUNDLE_FILE) -> str | None:
    """Serve the custom bundle and load it on every page; its URL, or None when not built.

    The bytes are read once here, so the URL's hash always names what is served (a rebuild
    takes effect at the next start)."""
    if not path.is_file():
        return None
    body = path.read_bytes()
    url = bundle_url(body)
    served = url.rsplit("/", 1)[1]

    @app.server.route(f"{URL_PREFIX}<name>")
    def plotly_bundle(name: str) -> Response:
        if name != served:  # an older build's URL: gone, never another file's bytes
            abort(404)
        resp = Response(body, mimetype="text/javascript")
        resp.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        return resp

    app.config.external_scripts.append(url)
    return url
