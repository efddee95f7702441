"""Chart export (PNG 2×, SVG, PDF) of every chart card, re-created on the server.

A page module declares its exportable charts as `CHARTS = {key: ChartSource(state, build)}`:
`state` is the page's store of resolved parameters (region, week, period ... never a
figure) and `build(state_value)` the same function the page's render callback uses, so
the file is what the page shows for that state, computed for the user's scope. The
browser's figure is never read: a forged figure can neither reach another region nor
make the renderer fetch anything. Geometry is inlined from views/geometry.py with the
user's scope, and every export is written to the audit log.

`register_exports(app, CHARTS)` is called by the page module's `register`, so the page's
right (its RIGHT) guards its exports too.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from dash import ALL, Input, Output, State, ctx, no_update

import ids
from exports.images import MIME, ExportError, export_filename, render
from i18n import normalize_lang, t
from ids import export as ids_export
from runtime import audit_event, current_scope, data_version, get_engine, get_settings
from views.geometry import layer_of_url, scoped_layer


@dataclass(frozen=True)
class ChartSource:
    state: State                      # the page's resolved-parameters store
    build: Callable[[dict], object]   # state value -> the chart's figure (dict or go.Figure)


def lang_of(search: str | None) -> str:
    return normalize_lang(parse_qs((search or "").lstrip("?")).get("lang"))


def scoped_geometry(url: str) -> dict:
    """A figure's /geo/ URL resolved for the current user's scope (never over HTTP)."""
    layer = layer_of_url(url)
    body = None
    if layer:
        body = scoped_layer(get_engine(), current_scope(), *layer,
                            cache_dir=Path(get_settings().cache_dir), version=data_version())
    if body is None:
        raise ExportError(t("export.error.geometry", status=404))
    return json.loads(body)


def export_file(figure, fmt: str, lang: str) -> dict:
    """The dcc.Download payload of one server-built figure in one format (raises ExportError)."""
    if hasattr(figure, "to_plotly_json"):
        figure = figure.to_plotly_json()
    if not isinstance(figure, dict) or not figure.get("data"):
        raise ExportError(t("export.error.no_figure", lang))
    body = render(figure, fmt, lang=lang, geo_resolver=scoped_geometry)
    return {"content": base64.b64encode(body).decode("ascii"), "base64": True,
            "filename": export_filename(figure, fmt), "type": MIME[fmt]}


def export_chart(key: str, source: ChartSource, n_clicks: list, state: dict | None, search: str | None):
    """(download, message) for the clicked format of chart `key`."""
    trigger = ctx.triggered_id if ctx else None
    if not isinstance(trigger, dict) or trigger.get("fmt") not in MIME or not any(n_clicks or []):
        return no_update, no_update
    lang, fmt = lang_of(search), trigger["fmt"]
    params = state if isinstance(state, dict) else {}
    try:
        payload = export_file(source.build(params), fmt, lang)
    except ExportError as exc:
        return no_update, str(exc)
    audit_event(f"export_{fmt}", f"chart:{key}", region_code=params.get("region"),
                detail={k: params.get(k) for k in ("week", "period", "metric", "lang") if params.get(k)})
    return payload, ""


def register_exports(app, charts: dict[str, ChartSource]) -> None:
    """One export callback per chart card of a page."""
    for key, source in charts.items():
        def callback(n_clicks, state, search, key=key, source=source):
            return export_chart(key, source, n_clicks, state, search)
        app.callback(Output(ids.chart_download(key), "data"),
                     Output(ids_export.chart_export_msg(key), "children"),
                     Input(ids.chart_export(key, ALL), "n_clicks"),
                     source.state, State(ids.PAGES_LOCATION, "search"),
                     prevent_initial_call=True)(callback)
