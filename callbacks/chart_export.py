"""The chart export of every page: one pattern-matching callback per chart card.

A click on a card's menu item (`ids.chart_export(key, fmt)`) sends that card's figure
(as the browser holds it) to `export_chart`, which stamps it with its title, region,
period and as-of (`layout.meta["export"]`), renders it with kaleido (exports/images.py)
and returns the file to the card's `dcc.Download`. Problems (no Chinese font, a chart
not loaded yet) are written under the menu in the user's language.
"""
from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs

from dash import ALL, MATCH, Input, Output, State, ctx, no_update

import ids
from exports.images import MIME, ExportError, export_filename, render
from i18n import normalize_lang, t
from ids import export as ids_export


def lang_of(search: str | None) -> str:
    return normalize_lang(parse_qs((search or "").lstrip("?")).get("lang"))


def app_geo_resolver(url: str) -> dict:
    """Map geometry through the app's own /geo/ route (same scope checks and cache)."""
    from flask import current_app
    response = current_app.test_client().get(url)
    if response.status_code != 200:
        raise ExportError(t("export.error.geometry", status=response.status_code))
    return json.loads(response.get_data())


def export_file(figure: dict | None, fmt: str, lang: str) -> dict:
    """The dcc.Download payload of one figure in one format (raises ExportError)."""
    if not figure or not figure.get("data"):
        raise ExportError(t("export.error.no_figure", lang))
    body = render(figure, fmt, lang=lang, geo_resolver=app_geo_resolver)
    return {"content": base64.b64encode(body).decode("ascii"), "base64": True,
            "filename": export_filename(figure, fmt), "type": MIME[fmt]}


def export_chart(n_clicks: list, figure: dict | None, search: str | None):
    """(download, message) for the clicked format of a chart card."""
    trigger = ctx.triggered_id if ctx else None
    if not trigger or not any(n_clicks or []):
        return no_update, no_update
    lang = lang_of(search)
    try:
        return export_file(figure, trigger["fmt"], lang), ""
    except ExportError as exc:
        return no_update, str(exc)


def register(app) -> None:
    """Attach the export callback (one per chart card, by MATCH on its key)."""
    app.callback(Output(ids.chart_download(MATCH), "data"),
                 Output(ids_export.chart_export_msg(MATCH), "children"),
                 Input(ids.chart_export(MATCH, ALL), "n_clicks"),
                 State(ids.chart(MATCH), "figure"),
                 State(ids.PAGES_LOCATION, "search"),
                 prevent_initial_call=True)(export_chart)
