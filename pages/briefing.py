"""Weekly briefing (周报): a preview of the drafted text and charts, and the files.

The URL's region/week/lang are resolved here and the drafted text comes with the page
(callbacks/briefing.render_text, the callbacks' own function and cache); the charts follow
in one callback (`render_charts`, from the same cached briefing), so the text is read
while they are drawn. The preview is what the PPTX/PDF will hold; "generate" starts a
background job (exports/briefing_jobs.py) whose progress is polled by a dcc.Interval.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from callbacks.briefing import render_text
from callbacks.page_state import first_state
from components.chart import card, chart_card
from components.first_view import store
from components.search import search_col
from components.shell import page_frame
from components.state import current_state
from i18n import t
from ids import briefing as bid
from views.briefing import CHART_KEYS, PREVIEW_CHART_PX

dash.register_page(__name__, path="/briefing", name="briefing", order=4,
                   title=f"{t('nav.briefing')} · {t('app.title')}")


def _controls(lang: str, first) -> dbc.Row:
    return dbc.Row([
        dbc.Col([dbc.Label(t("overview.controls.region", lang), html_for=bid.BR_REGION),
                 dcc.Dropdown(id=bid.BR_REGION, options=first.region_options, value=first.region,
                              clearable=False, searchable=True)], md=4, lg=3),
        search_col("briefing", lang, md=4, lg=3),
        dbc.Col([dbc.Label(t("overview.controls.week", lang), html_for=bid.BR_WEEK),
                 dcc.Dropdown(id=bid.BR_WEEK, options=first.week_options, value=first.week,
                              clearable=False, searchable=False)], md=4, lg=3),
        dbc.Col(html.Div(first.as_of, id=bid.BR_ASOF, className="sun-asof"), md=12, lg=3,
                className="d-flex align-items-end justify-content-md-end"),
    ], className="g-2 mb-3 sun-controls")


def _files_card(lang: str) -> dbc.Card:
    return card(t("briefing.files.title", lang), t("briefing.files.subtitle", lang),
                html.Div([
                    dbc.Button(t("briefing.files.generate", lang), id=bid.BR_GENERATE, color="primary",
                               className="me-2"),
                    html.Span(id=bid.BR_STATUS, className="sun-briefing-status", role="status"),
                ], className="d-flex align-items-center flex-wrap gap-2 mb-2"),
                dbc.Progress(id=bid.BR_PROGRESS, value=0, striped=True, animated=True,
                             className="sun-briefing-progress mb-2", style={"visibility": "hidden"}),
                html.Div([
                    dbc.Button(t("briefing.files.pptx", lang), id=bid.BR_GET_PPTX, color="success",
                               outline=True, className="me-2"),
                    dbc.Button(t("briefing.files.pdf", lang), id=bid.BR_GET_PDF, color="success", outline=True),
                ], id=bid.BR_DOWNLOADS, hidden=True),
                dcc.Download(id=bid.BR_DOWNLOAD),
                dcc.Store(id=bid.BR_JOB),
                dcc.Interval(id=bid.BR_POLL, interval=700, disabled=True))


def layout(region=None, week=None, lang=None, **query):
    """The briefing preview for the URL's region, week and language."""
    state = current_state(region, week, lang)
    lang = state.lang
    first = first_state(state.region, state.week, lang)
    text, charts_state = render_text(first.resolved)
    # the charts' callback fires on load from BR_TEXT_DONE: the one round of this page
    stores = html.Div([dcc.Store(id=bid.BR_RESOLVED, data=first.resolved),
                       store(bid.BR_TEXT_DONE, charts_state)])
    narrative = card(t("briefing.narrative.title", lang), t("briefing.narrative.subtitle", lang),
                     dcc.Loading(html.Div(text, id=bid.BR_NARRATIVE, className="sun-briefing-text"), delay_show=300))
    charts = [dbc.Col(chart_card(bid.chart_key(key), t(f"briefing.chart.{key}", lang, unit=t("briefing.unit.generic", lang)), "",
                                 lang=lang, height=PREVIEW_CHART_PX), lg=6)
              for key in CHART_KEYS]
    body = html.Div([
        stores, _controls(lang, first),
        dbc.Row([dbc.Col(narrative, lg=8), dbc.Col(_files_card(lang), lg=4)], className="g-3 mb-3"),
        dbc.Row(charts, className="g-3"),
    ], id=bid.BR_ROOT)
    return page_frame("briefing", state, body, region_chip=first.region_chip)
