"""Charts as files: PNG (2×), SVG and PDF, stamped with title, region, period and as-of.

Used by the chart export callback of every page (callbacks/chart_export.py) and by the
weekly briefing (exports/briefing.py). No dash, no flask: it only talks to kaleido's
Chromium (a child process) and reads map geometry through a resolver.

- kaleido 1.x renders through Debian's `chromium`; its sync server is started once per
  process (`ensure_kaleido`), without MathJax, so nothing is fetched from the network.
- Map figures carry their geometry as a URL (`/geo/<parent>/<level>.json`, DESIGN §4);
  kaleido has no server to ask, so `inline_geometry` replaces the URL with the layer
  itself (a `geo_resolver(url) -> dict` supplied by the caller). Maps are plotly `geo`
  (SVG, vector in SVG/PDF; figures/geo.py), their layers already wound as d3 wants
  (geo/layers.py); their empty base map comes from `offline_topojson`, not the CDN.
- Chinese text needs a CJK font (`fonts-noto-cjk`): without one, chromium draws boxes,
  so `require_cjk_font` raises `MissingFontError` (a message for the user) instead.
"""
from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

from figures.theme import FONT_FAMILY
from i18n import t

GeoResolver = Callable[[str], dict]  # a geojson URL -> its GeoJSON, read without a server
FORMATS = ("png", "svg", "pdf")
MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
PNG_SCALE = 2
DEFAULT_WIDTH = 1100
DEFAULT_HEIGHT = 500
STAMP_TOP = 78      # px above the plot for title + subtitle
STAMP_BOTTOM = 12   # px of white below the plot
GEO_URL = re.compile(r"^/geo/(?P<parent>\d{1,12})/(?P<level>[a-z]+)\.json(?:\?v=[0-9a-f]+)?$")
TEXT_COLOR = "#212529"
MUTED = "#6c757d"

NO_NETWORK_PROXY = "http://127.0.0.1:9"
_kaleido_lock = threading.Lock()
_render_lock = threading.Lock()
_kaleido_started = False


class ExportError(Exception):
    """An export that cannot be made; `str()` is a message for the user."""


class MissingFontError(ExportError):
    """No CJK font: exported Chinese would be boxes."""


def cjk_fonts() -> list[str]:
    """Font families fontconfig knows for Chinese (`fc-list :lang=zh family`); [] if none.

    Runs every time (cheap, ~20 ms), so a changed FONTCONFIG_FILE is honoured.
    """
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return []
    try:
        out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True,
                             timeout=10, env=os.environ.copy(), check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})


def require_cjk_font(lang: str = "zh-CN") -> None:
    """Raise MissingFontError (translated) when no Chinese font is installed."""
    if not cjk_fonts():
        raise MissingFontError(t("export.error.no_cjk_font", lang))


def ensure_kaleido(lang: str = "zh-CN") -> None:
    """Start kaleido's sync server once per process (Debian chromium, no MathJax)."""
    global _kaleido_started  # noqa: PLW0603 - one kaleido server per process, started under a lock
    if _kaleido_started:
        return
    with _kaleido_lock:
        if _kaleido_started:
            return
        import kaleido
        chromium = shutil.which("chromium")
        if not chromium:
            raise ExportError(t("export.error.no_chromium", lang))
        # kaleido's child reads BROWSER_PATH: always Debian's chromium on PATH (never a download)
        os.environ["BROWSER_PATH"] = chromium
        # plotly.js from the installed plotly package, named explicitly: kaleido would
        # fall back to the CDN if it could not find it, and we must stay offline
        import plotly
        plotlyjs = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        # every request the renderer's chromium would send off the machine goes to a proxy
        # that is not there (port 9, discard): figures are built on the server and carry
        # their geometry inline, so nothing is ever fetched; this makes sure of it
        kaleido.start_sync_server(mathjax=False, plotlyjs=str(plotlyjs), silence_warnings=True,
                                  proxy_server=NO_NETWORK_PROXY)
        _kaleido_started = True


def start_kaleido_in_background() -> None:
    """Start the renderer at server start, in a thread (chromium takes 3-5 s), so neither
    the first export nor the first briefing waits for it or shares the CPU with it.
    Without chromium it stays unstarted: the first export then says why."""
    import contextlib
    import threading

    def start() -> None:
        with contextlib.suppress(ExportError):
            ensure_kaleido()
    if not _kaleido_started:
        threading.Thread(target=start, name="kaleido-start", daemon=True).start()


def inline_geometry(fig: dict, geo_resolver: Callable[[str], dict] | None) -> dict:
    """A copy of the figure whose map traces hold their geometry instead of a URL."""
    fig = copy.deepcopy(fig)
    for trace in fig.get("data") or []:
        geojson = trace.get("geojson")
        if isinstance(geojson, str) and geojson:
            if not GEO_URL.match(geojson) or geo_resolver is None:
                raise ExportError(f"map geometry {geojson!r} cannot be read for the export")
            trace["geojson"] = geo_resolver(geojson)
    return fig


_topojson_dir: str | None = None


def offline_topojson() -> str:
    """A file:// folder of empty base-map topojson, so plotly `geo` never asks the CDN."""
    global _topojson_dir  # noqa: PLW0603 - one folder per process, written once
    if _topojson_dir is None:
        import json
        import tempfile
        from pathlib import Path
        folder = Path(tempfile.mkdtemp(prefix="sunshine-topojson-"))
        layers = ("coastlines", "land", "ocean", "lakes", "rivers", "countries", "subunits")
        empty = {"type": "Topology", "objects": {n: {"type": "GeometryCollection", "geometries": []}
                                                 for n in layers}, "arcs": []}
        for scope in ("world", "usa", "europe", "asia", "africa", "north-america", "south-america"):
            for res in (110, 50):
                (folder / f"{scope}_{res}m.json").write_text(json.dumps(empty))
        _topojson_dir = folder.as_uri() + "/"
    return _topojson_dir


def export_meta(fig: dict) -> dict:
    """The stamp of a figure (figures.theme.with_export_meta), with empty defaults."""
    meta = ((fig.get("layout") or {}).get("meta") or {})
    stamp = meta.get("export") if isinstance(meta, dict) else None
    stamp = stamp or {}
    return {k: str(stamp.get(k) or "") for k in ("title", "region", "period", "as_of")}


def stamped(fig: dict, lang: str, *, width: int | None = None, height: int | None = None) -> tuple[dict, int, int]:
    """A copy on white, with title, 'region · period' and 'data as of' drawn above the plot.

    Returns (figure, width, height) of the image to render.
    """
    fig = copy.deepcopy(fig)
    layout = fig.setdefault("layout", {})
    meta = export_meta(fig)
    plot_h = int(height or layout.get("height") or DEFAULT_HEIGHT)
    width = int(width or layout.get("width") or DEFAULT_WIDTH)
    margin = dict(layout.get("margin") or {})
    top, bottom = int(margin.get("t", 30)), int(margin.get("b", 30))
    margin.update(t=top + STAMP_TOP, b=bottom + STAMP_BOTTOM, l=max(int(margin.get("l", 20)), 20),
                  r=max(int(margin.get("r", 20)), 20))
    total_h = plot_h + STAMP_TOP + STAMP_BOTTOM
    font = dict(layout.get("font") or {})
    font.update(family=FONT_FAMILY, color=TEXT_COLOR)
    subtitle = " · ".join(p for p in (meta["region"], meta["period"]) if p)
    footer = t("export.stamp.as_of", lang, as_of=meta["as_of"]) if meta["as_of"] else ""
    footer = " · ".join(p for p in (footer, t("app.title", lang)) if p)
    notes = list(layout.get("annotations") or [])
    notes += [
        dict(text=f"<b>{_escape(meta['title'])}</b>", x=0, xanchor="left", xref="paper",
             y=1, yanchor="bottom", yref="paper", yshift=top + 34, showarrow=False,
             font=dict(size=20, color=TEXT_COLOR, family=FONT_FAMILY)),
        dict(text=_escape(subtitle), x=0, xanchor="left", xref="paper", y=1, yanchor="bottom",
             yref="paper", yshift=top + 10, showarrow=False,
             font=dict(size=13, color=MUTED, family=FONT_FAMILY)),
        dict(text=_escape(footer), x=1, xanchor="right", xref="paper", y=1, yanchor="bottom",
             yref="paper", yshift=top + 10, showarrow=False,
             font=dict(size=11, color=MUTED, family=FONT_FAMILY)),
    ]
    layout.update(paper_bgcolor="#ffffff", plot_bgcolor="#ffffff", font=font, margin=margin,
                  annotations=notes, width=width, height=total_h, title=None)
    layout.pop("template", None) if layout.get("template") == {} else None
    return fig, width, total_h


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(fig: dict, fmt: str, *, lang: str = "zh-CN", geo_resolver: GeoResolver | None = None,
           stamp: bool = True, width: int | None = None, height: int | None = None,
           scale: float | None = None) -> bytes:
    """The figure as PNG (2×), SVG or PDF bytes; raises ExportError with a user message."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}")
    require_cjk_font(lang)
    if hasattr(fig, "to_plotly_json"):
        fig = fig.to_plotly_json()
    fig = inline_geometry(fig, geo_resolver)
    if stamp:
        fig, width, height = stamped(fig, lang, width=width, height=height)
    else:
        layout = fig.setdefault("layout", {})
        width = int(width or layout.get("width") or DEFAULT_WIDTH)
        height = int(height or layout.get("height") or DEFAULT_HEIGHT)
        layout.update(paper_bgcolor="#ffffff", width=width, height=height)
    ensure_kaleido(lang)
    import kaleido
    opts = {"format": fmt, "width": width, "height": height,
            "scale": (scale or PNG_SCALE) if fmt == "png" else 1}
    with _render_lock:  # one kaleido tab at a time per process: a wall of clicks queues
        try:
            return kaleido.calc_fig_sync(fig, opts=opts, topojson=offline_topojson())
        except Exception as exc:  # kaleido wraps chromium's errors in several types
            raise ExportError(t("export.error.render", lang, error=str(exc)[:200])) from exc


_UNSAFE = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


def export_filename(fig: dict, fmt: str, fallback: str = "chart") -> str:
    """`<title>_<region>_<period>.<fmt>`, safe on Windows and Unix (Chinese kept)."""
    meta = export_meta(fig if isinstance(fig, dict) else fig.to_plotly_json())
    parts = [_UNSAFE.sub("-", p).strip("-.") for p in (meta["title"], meta["region"], meta["period"])]
    stem = "_".join(p for p in parts if p) or fallback
    return f"{stem[:120]}.{fmt}"


def engine_geo_resolver(engine, cache_dir, version: str) -> GeoResolver:
    """A geo_resolver reading the same cached layer files the /geo/ route serves."""
    import json
    from pathlib import Path

    from data.codes import normalize_code
    from geo.layers import cached_layer_bytes

    def resolve(url: str) -> dict:
        match = GEO_URL.match(url)
        if not match:
            raise ExportError(f"not a map layer URL: {url!r}")
        with engine.connect() as conn:
            body = cached_layer_bytes(conn, normalize_code(match["parent"]), match["level"],
                                      Path(cache_dir), version)
        return json.loads(body)
    return resolve


# ---------------------------------------------------------------- HTML -> PDF in the same chromium

async def _print_pdf(self, url: str, timeout: float = 60) -> bytes:
    """Kaleido method (added below): open `url` in a new tab of kaleido's chromium and
    print it with CDP Page.printToPDF (CSS page size, backgrounds). Used for the
    briefing PDF: no second browser to start (0.8 s instead of 2.5–4.5 s)."""
    import asyncio
    import base64

    import choreographer as choreo
    tab = await choreo.Browser.create_tab(self, url="", window=True)
    try:
        loaded = tab.subscribe_once("Page.loadEventFired")
        await tab.send_command("Page.enable")
        await tab.send_command("Page.navigate", params={"url": url})
        await asyncio.wait_for(loaded, timeout)
        response = await tab.send_command("Page.printToPDF", params={
            "preferCSSPageSize": True, "printBackground": True, "displayHeaderFooter": False})
        if "error" in response:
            raise RuntimeError(str(response["error"]))
        return base64.b64decode(response["result"]["data"])
    finally:
        await self.close_tab(tab.target_id)


def print_html_to_pdf(path) -> bytes:
    """PDF bytes of a local, self-contained HTML file, printed by kaleido's chromium.

    Relies on kaleido 1.5 running on choreographer (pinned): the sync server calls a
    method of its Kaleido object by name, so the printer is attached as one.
    """
    from pathlib import Path

    import kaleido
    from kaleido.kaleido import Kaleido
    if not hasattr(Kaleido, "sunshine_print_pdf"):
        Kaleido.sunshine_print_pdf = _print_pdf
    ensure_kaleido()
    with _render_lock:
        return kaleido._global_server.call_function("sunshine_print_pdf", Path(path).resolve().as_uri())
