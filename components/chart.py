"""Cards and chart cards shared by every page.

Every chart of the product is a `chart_card`: a titled card holding a dcc.Graph whose id
is `ids.chart(key)`, with an export menu (PNG 2×, SVG, PDF) whose items are
`ids.chart_export(key, fmt)` and a `dcc.Download` `ids.chart_download(key)`. One
pattern-matching callback (callbacks/chart_export.py) serves the exports of all pages:
it reads the figure from the browser and its stamp (title, region, period, as-of) from
`figure.layout.meta["export"]`, which figure builders set with
`figures.theme.with_export_meta`.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

import ids
from components.attrs import html_attrs
from i18n import t
from ids import export as ids_export
from views.geometry import TOPOJSON_URL

# topojsonURL: plotly `geo` maps read their (empty) base map from the app, never the CDN
GRAPH_CONFIG: dcc.Graph.Config = {"displaylogo": False, "responsive": True, "topojsonURL": TOPOJSON_URL,
                                  "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage"]}
EXPORT_FORMATS = ("png", "svg", "pdf")


def card(title: str, subtitle: str, *body, **kwargs) -> dbc.Card:
    """A titled card (title, muted subtitle, then the body)."""
    header = html.Div([html.H2(title, className="sun-card-title"),
                       html.Span(subtitle, className="sun-card-subtitle")])
    return dbc.Card(dbc.CardBody([header, *body]), className="sun-card h-100", **kwargs)


def export_menu(key: str, lang: str) -> html.Div:
    """The chart's download menu and its Download sink."""
    items = [dbc.DropdownMenuItem(t(f"chart.export.{fmt}", lang), id=ids.chart_export(key, fmt))
             for fmt in EXPORT_FORMATS]
    menu = dbc.DropdownMenu(items, label=t("chart.export.label", lang), size="sm",
                            color="light", align_end=True, className="sun-export-menu")
    message = html.Div(id=ids_export.chart_export_msg(key), className="sun-export-msg", role="alert")
    return html.Div([menu, dcc.Download(id=ids.chart_download(key)), message], className="sun-card-tools")


def chart_card(key: str, title: str, subtitle: str = "", *, lang: str, height: int = 300,
               below=None, figure=None, **card_kwargs) -> dbc.Card:
    """A card with one exportable chart; `below` goes under the chart (notes, legends)."""
    graph = dcc.Graph(id=ids.chart(key), config=GRAPH_CONFIG, figure=figure or {},
                      style={"height": f"{height}px"})
    header = html.Div([html.Div([html.H2(title, className="sun-card-title"),
                                 html.Span(subtitle, className="sun-card-subtitle")]),
                       export_menu(key, lang)],
                      className="d-flex justify-content-between align-items-start gap-2")
    body = [header, dcc.Loading(graph, delay_show=300)]
    if below is not None:
        body.append(below)
    return dbc.Card(dbc.CardBody(html.Div(body, **html_attrs({"data-chart": key}))),
                    className="sun-card h-100", **card_kwargs)
