"""Fund flows (资金流向): where livelihood money comes from, where it goes, where it stalls.

The URL's region/week/lang plus the page's own keys `source` (a source level),
`category` (a programme category) and `period` are resolved here, and the first view
(every section and the records grid) is computed by the same functions and cache the
callbacks use (callbacks/funds.py), so the page arrives drawn. Clicking a Sankey node,
the pickers and the "clear" button write the URL back, which renders the page again, so a
reload or a shared link shows the same view.
"""
from __future__ import annotations

import re

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from callbacks import funds as view
from callbacks.records import grid_first_view
from components.chart import card, chart_card
from components.records_grid import records_grid
from components.search import search_col
from components.shell import page_frame
from components.state import current_state
from i18n import t
from ids import funds as fid

dash.register_page(__name__, path="/funds", name="funds", order=2,
                   title=f"{t('nav.funds')} · {t('app.title')}")

SOURCES = ("central", "provincial", "municipal", "county")
_CATEGORY_RE = re.compile(r"^[a-z_]{1,20}$")


PERIODS = ("ytd", "quarter", "4w")


def page_filters(source=None, category=None, period=None) -> dict:
    """The page's own URL keys, validated: unknown values are dropped, never echoed."""
    source, category, period = (v[-1] if isinstance(v, list) and v else v
                                for v in (source, category, period))
    return {"source": source if source in SOURCES else None,
            "category": category if isinstance(category, str) and _CATEGORY_RE.match(category) else None,
            "period": period if period in PERIODS else "ytd"}


def _controls(lang: str, first: tuple) -> dbc.Row:
    regions, region, weeks, week, periods, period, as_of, _chip, chips, _resolved = first
    return dbc.Row([
        dbc.Col([dbc.Label(t("funds.controls.region", lang), html_for=fid.REGION),
                 dcc.Dropdown(id=fid.REGION, options=regions, value=region, clearable=False, searchable=True)],
                md=4, lg=3),
        search_col("funds", lang, md=4, lg=3),
        dbc.Col([dbc.Label(t("funds.controls.week", lang), html_for=fid.WEEK),
                 dcc.Dropdown(id=fid.WEEK, options=weeks, value=week, clearable=False, searchable=False)],
                md=4, lg=3),
        dbc.Col([dbc.Label(t("funds.controls.period", lang), html_for=fid.PERIOD),
                 dcc.Dropdown(id=fid.PERIOD, options=periods, value=period, clearable=False, searchable=False)],
                md=4, lg=2),
        dbc.Col(html.Div([html.Div(chips, id=fid.FILTERS, className="sun-funds-filters"),
                          dbc.Button(t("funds.controls.clear", lang), id=fid.CLEAR, size="sm",
                                     color="link", className="sun-funds-clear")],
                         className="d-flex align-items-end flex-wrap gap-1"), md=4, lg=2),
        dbc.Col(html.Div(as_of, id=fid.ASOF, className="sun-asof"), lg=2,
                className="d-flex align-items-end justify-content-lg-end"),
    ], className="g-2 mb-3 sun-controls")


def _section(number: int, lang: str) -> html.H2:
    return html.H2(t(f"funds.section.{number}", lang), className="sun-funds-section")


def _table_card(title_key: str, subtitle_key: str, body_id: str, lang: str, body) -> dbc.Card:
    return card(t(title_key, lang), t(subtitle_key, lang),
                dcc.Loading(html.Div(body, id=body_id, className="sun-funds-table"), delay_show=300))


RECORD_CHOICES = ("payments", "outstanding", "ledger", "disclosures", "delayed", "projects")


def _records(lang: str, query: dict | None) -> dbc.Card:
    """Drill to records: which list, then the shared server-side grid with export (its
    first view, the payments list, computed here)."""
    choice = dbc.RadioItems(id=fid.RECORDS_SOURCE, value=view.FIRST_CHOICE, inline=True,
                            options=[{"label": t(f"funds.records.choice.{c}", lang), "value": c}
                                     for c in RECORD_CHOICES], className="mb-2")
    grid = records_grid("funds", lang, height=380, first=grid_first_view(query) if query else None)
    return dbc.Card(dbc.CardBody([html.P(t("funds.records.hint", lang), className="sun-note"),
                                  choice, grid]),
                    id=fid.RECORDS, className="sun-card mb-3")


def layout(region=None, week=None, lang=None, source=None, category=None, period=None, **query):
    """The fund-flows page for the URL's region, week, language and Sankey filters."""
    state = current_state(region, week, lang)
    lang = state.lang
    filters = page_filters(source, category, period)
    first = view.resolve_state({"region": state.region, "week": state.week, "lang": lang, **filters})
    resolved, chip = first[-1], first[7]
    store = dcc.Store(id=fid.RESOLVED, data=resolved)  # what the callbacks and exports read
    sankey_figure, sankey_note = view.render_sankey(resolved)
    sankey = chart_card(fid.SANKEY_CHART, t("funds.sankey.title", lang), t("funds.sankey.subtitle", lang),
                        lang=lang, height=460, figure=sankey_figure,
                        below=html.Div(sankey_note, id=fid.SANKEY_NOTE, className="sun-note"))
    progress_figure, progress_summary = view.render_progress(resolved)
    progress = chart_card(fid.PROGRESS_CHART, t("funds.progress.title", lang),
                          t("funds.progress.subtitle", lang), lang=lang, height=420, figure=progress_figure,
                          below=html.Div(progress_summary, id=fid.PROGRESS_SUMMARY, className="sun-note"))
    overdue_figure, overdue_summary = view.render_overdue(resolved)
    overdue = chart_card(fid.OVERDUE_CHART, t("funds.overdue.title", lang), t("funds.overdue.subtitle", lang),
                         lang=lang, height=420, figure=overdue_figure,
                         below=html.Div(overdue_summary, id=fid.OVERDUE_SUMMARY, className="sun-note"))
    ledger = chart_card(fid.LEDGER_CHART, t("funds.ledger.title", lang), t("funds.ledger.subtitle", lang),
                        lang=lang, height=380, figure=view.render_ledger(resolved))
    units_figure, kinds_figure = view.render_disclosure(resolved)
    disclosure = chart_card(fid.DISCLOSURE_CHART, t("funds.disclosure.title", lang),
                            t("funds.disclosure.subtitle", lang), lang=lang, height=380, figure=units_figure)
    kinds = chart_card(fid.DISCLOSURE_KINDS_CHART, t("funds.disclosure.kinds_title", lang),
                       t("funds.disclosure.kinds_subtitle", lang), lang=lang, height=260, figure=kinds_figure)
    projects_figure, delayed = view.render_projects(resolved)
    projects = chart_card(fid.PROJECTS_CHART, t("funds.projects.title", lang),
                          t("funds.projects.subtitle", lang), lang=lang, height=330, figure=projects_figure)
    outliers = _table_card("funds.outliers.title", "funds.outliers.subtitle", fid.OUTLIERS, lang,
                           view.render_outliers(resolved))
    late = _table_card("funds.late.title", "funds.late.subtitle", fid.LATE_VILLAGES, lang,
                       view.render_late(resolved))
    body = html.Div([
        store, _controls(lang, first),
        _section(1, lang), dbc.Row([dbc.Col(sankey)], className="g-3 mb-3"),
        _section(2, lang), dbc.Row([dbc.Col(progress, lg=7), dbc.Col(overdue, lg=5)], className="g-3 mb-3"),
        _section(3, lang), dbc.Row([dbc.Col(ledger, lg=7), dbc.Col(outliers, lg=5)], className="g-3 mb-3"),
        _section(4, lang), dbc.Row([dbc.Col(disclosure, lg=5),
                                    dbc.Col(html.Div([kinds]), lg=3),
                                    dbc.Col(late, lg=4)], className="g-3 mb-3"),
        _section(5, lang), dbc.Row([dbc.Col(projects, lg=5),
                                    dbc.Col(_table_card("funds.delayed.title", "funds.delayed.subtitle",
                                                        fid.DELAYED, lang, delayed), lg=7)], className="g-3 mb-3"),
        _section(6, lang), _records(lang, view.first_records_query(resolved)),
    ], id=fid.ROOT)
    return page_frame("funds", state, body, region_chip=chip)
