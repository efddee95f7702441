"""Fund flows: the views of the page (one `render_*` per section) and its callbacks.

The page's layout (pages/funds.py) resolves the URL state (`resolve_state`: pickers,
as-of, filter chips, the resolved state) and calls the `render_*` functions itself, so the
page arrives drawn with no callback round. The callbacks left are a user's: picking a
region, week or period, clicking a Sankey node or "clear" writes the URL (`to_url`),
which renders the page again (the URL is the only state); the records choice and chart
clicks set the records grid's query (`records_query`); the chart exports. Every render
is memoized by scope and its inputs (callbacks.memo).
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, ctx, html, no_update

import ids
from callbacks.chart_export import ChartSource, register_exports
from callbacks.memo import memoized
from callbacks.page_state import as_of_text, page_lang, region_chip, region_week_options, resolved_defaults
from data.access import VIEW_DASHBOARDS
from data.calendar import format_week, parse_week
from data.queries import funds as qf
from i18n import t
from i18n.numbers import format_value
from ids import funds as fid
from ids import records as ids_records
from runtime import current_scope, get_engine, get_settings
from views import funds as vf

RIGHT = VIEW_DASHBOARDS  # what these callbacks need (checked on the server, callbacks/__init__.py)

URL_KEYS = ("region", "week", "lang", "period", "source", "category")
MAX_ROWS = 15  # rows shown in the page's lists (the records grid has them all)


def funds_href(search: str | None, **overrides) -> str:
    """The location search '?...' keeping the page's URL keys; None removes a key."""
    parsed = parse_qs((search or "").lstrip("?"))
    merged = {k: parsed[k][-1] for k in URL_KEYS if parsed.get(k)}
    merged.update(overrides)
    query = {k: merged[k] for k in URL_KEYS if merged.get(k)}
    return f"?{urlencode(query)}" if query else ""


def resolve_state(state: dict):
    """Picker options and values, as-of line, region chip, filter chips, resolved state."""
    state, scope, lang = state or {}, current_scope(), page_lang(state)
    resolved = resolved_defaults(state)
    options = region_week_options(resolved, lang)
    categories = memoized("funds.categories", scope, compute=_categories)
    category = state.get("category") if state.get("category") in categories else None
    period = state.get("period") if state.get("period") in vf.PERIODS else "ytd"
    full = {**resolved, "lang": lang, "period": period, "source": state.get("source"),
            "category": category}
    periods = [{"label": t(f"funds.controls.period.{p}", lang), "value": p} for p in vf.PERIODS]
    return (options["regions"], resolved["region"], options["weeks"], resolved["week"], periods,
            period, as_of_text(resolved.get("as_of"), lang), region_chip(resolved.get("region_name"), lang),
            filter_chips(full), full)


def _categories() -> list[str]:
    with get_engine().connect() as conn:
        return sorted(set(qf.fetch_programs(conn)["category"]))


def filter_chips(resolved: dict):
    """The active Sankey filters in words (or 'all funds')."""
    lang = resolved.get("lang", "zh-CN")
    chips = []
    if resolved.get("source"):
        chips.append(vf.label("source_level", resolved["source"], lang))
    if resolved.get("category"):
        chips.append(vf.label("program_category", resolved["category"], lang))
    if not chips:
        return html.Span(t("funds.filters.none", lang), className="text-muted small")
    notes = [t("funds.filters.scope_note", lang)]
    if resolved.get("source"):
        notes.insert(0, t("funds.filters.source_note", lang))
    return [html.Span(t("funds.filters.label", lang), className="small text-muted me-1"),
            *[html.Span(c, className="badge text-bg-primary me-1 sun-funds-chip") for c in chips],
            *[html.Div(n, className="sun-note sun-funds-filter-note") for n in notes]]


def to_url(region, week, period, click, _clear, resolved, search):
    """A pick, a Sankey node click or 'clear' becomes the URL (the page's state)."""
    if not resolved:
        return no_update
    trigger = ctx.triggered_id
    if trigger == fid.CLEAR:
        return funds_href(search, source=None, category=None)
    if trigger == ids.chart(fid.SANKEY_CHART):
        return node_href(click, resolved, search) or no_update
    if trigger == fid.PERIOD:
        if period == resolved.get("period") or period not in vf.PERIODS:
            return no_update
        return funds_href(search, period=None if period == "ytd" else period)
    if region == resolved.get("region") and week == resolved.get("week"):
        return no_update
    return funds_href(search, region=region, week=format_week(parse_week(week)) if week else None)


def node_href(click, resolved: dict, search) -> str | None:
    """URL for a clicked node: a source level or category toggles its filter; a county or
    township drills into it (the progress chart then shows its townships)."""
    data = _node(click)
    if not isinstance(data, (list, tuple)) or len(data) != 2:
        return None  # a link, or nothing
    kind, key = data
    if kind == "source" and key in qf.SOURCE_LEVELS:
        return funds_href(search, source=None if resolved.get("source") == key else key)
    if kind == "category" and isinstance(key, str):
        return funds_href(search, category=None if resolved.get("category") == key else key)
    if kind == "unit" and isinstance(key, str) and current_scope().allows(key):
        return funds_href(search, region=key)
    return None


def _node(click):
    """[kind, key] of a clicked Sankey node, or None (a link, or nothing)."""
    points = (click or {}).get("points") or []
    # dcc.Graph passes the trace-level customdata of the point's index: a node when the
    # point has a label (links have none), so a link click is ignored
    return points[0].get("customdata") if points and points[0].get("label") else None


def _key(resolved: dict) -> tuple:
    r = resolved or {}
    return (r.get("region"), r.get("week"), r.get("source"), r.get("category"), r.get("lang"),
            r.get("period"))


def _ready(resolved) -> bool:
    return bool(resolved and resolved.get("region") and resolved.get("week"))


def _empty(resolved):
    from figures.theme import empty_figure
    return empty_figure(t("funds.empty", (resolved or {}).get("lang", "zh-CN"))).to_plotly_json()


def render_sankey(resolved):
    if not _ready(resolved):
        return _empty(resolved), ""
    scope, lang = current_scope(), resolved["lang"]

    def compute():
        with get_engine().connect() as conn:
            fig, total = vf.sankey_view(conn, scope, resolved)
        note = t("funds.sankey.note", lang, total=format_value(total, "yuan", lang))
        return fig.to_plotly_json(), note
    return memoized("funds.sankey", scope, *_key(resolved), compute=compute)


def render_progress(resolved):
    if not _ready(resolved):
        return _empty(resolved), ""
    scope, lang = current_scope(), resolved["lang"]
    points = get_settings().funds_lag_points

    def compute():
        with get_engine().connect() as conn:
            fig, frame, share = vf.progress_view(conn, scope, resolved, points)
        return fig.to_plotly_json(), progress_summary(frame, share, points, lang)
    return memoized("funds.progress", scope, *_key(resolved), points, compute=compute)


def progress_summary(frame: pd.DataFrame, share: float, points, lang: str):
    """Counts of units per status, and the rule in words."""
    counts = frame["status"].value_counts()
    badges = [html.Span(f"{t(f'funds.status.{s}', lang)} {int(counts.get(s, 0))}",
                        className=f"badge sun-status sun-status-{s} me-1") for s in vf.STATUSES]
    rule = t("funds.progress.rule", lang, share=f"{share * 100:.1f}%", red=f"{points[0]:g}",
             yellow=f"{points[1]:g}", blue=f"{points[2]:g}")
    return [html.Div(badges, className="mb-1"), html.Div(rule)]


def render_overdue(resolved):
    if not _ready(resolved):
        return _empty(resolved), ""
    scope, lang = current_scope(), resolved["lang"]

    def compute():
        with get_engine().connect() as conn:
            fig, totals = vf.overdue_view(conn, scope, resolved)
        parts = [t("funds.overdue.bucket", lang, age=t(f"funds.age.{r.age_bucket}", lang),
                   n=f"{int(r.payments):,}", amount=format_value(r.amount, "yuan", lang))
                 for r in totals.itertuples()]
        total = t("funds.overdue.total", lang, n=f"{int(totals['payments'].sum()):,}",
                  amount=format_value(float(totals["amount"].sum()), "yuan", lang))
        return fig.to_plotly_json(), [html.Div(total, className="fw-semibold"), html.Div(" · ".join(parts))]
    return memoized("funds.overdue", scope, *_key(resolved), compute=compute)


def render_ledger(resolved):
    if not _ready(resolved):
        return _empty(resolved)
    scope = current_scope()

    def compute():
        with get_engine().connect() as conn:
            return vf.ledger_view(conn, scope, resolved).to_plotly_json()
    return memoized("funds.ledger", scope, *_key(resolved), compute=compute)


def render_outliers(resolved):
    if not _ready(resolved):
        return ""
    scope, lang = current_scope(), resolved["lang"]

    def compute():
        with get_engine().connect() as conn:
            frame = vf.outliers_view(conn, scope, resolved)
        rows = [(r.village_name, r.category_label, _wan(r.amount),
                 f"{r.per_capita:,.1f}", f"{r.median:,.1f}", f"{r.fence:,.1f}")
                for r in frame.head(MAX_ROWS).itertuples()]
        heads = ["village", "category", "amount", "per_capita", "median", "fence"]
        return table(heads, rows, "funds.outliers", lang, len(frame), t("funds.outliers.none", lang))
    return memoized("funds.outliers", scope, *_key(resolved), compute=compute)


def render_disclosure(resolved):
    if not _ready(resolved):
        return _empty(resolved), _empty(resolved)
    scope = current_scope()

    def compute():
        with get_engine().connect() as conn:
            units, kinds = vf.disclosure_view(conn, scope, resolved)
        return units.to_plotly_json(), kinds.to_plotly_json()
    return memoized("funds.disclosure", scope, *_key(resolved), compute=compute)


def render_late(resolved):
    if not _ready(resolved):
        return ""
    scope, lang = current_scope(), resolved["lang"]

    def compute():
        with get_engine().connect() as conn:
            late = vf.late_villages_view(conn, scope, resolved)
        rows = [(r.village_name, f"{int(r.unpublished):,}", f"{int(r.late):,}", r.last_due)
                for r in late.head(MAX_ROWS).itertuples()]
        heads = ["village", "unpublished", "late", "last_due"]
        return table(heads, rows, "funds.late", lang, len(late), t("funds.late.none", lang))
    return memoized("funds.late", scope, *_key(resolved), compute=compute)


def render_projects(resolved):
    if not _ready(resolved):
        return _empty(resolved), ""
    scope, lang = current_scope(), resolved["lang"]

    def compute():
        with get_engine().connect() as conn:
            fig, _, delayed = vf.projects_view(conn, scope, resolved)
        rows = [(r.name, r.category_label, _wan(r.budget), _wan(r.spent),
                 str(pd.Timestamp(r.planned_end).date()),
                 f"{int(r.days_overdue):,}") for r in delayed.head(MAX_ROWS).itertuples()]
        heads = ["name", "category", "budget", "spent", "planned_end", "days_overdue"]
        return fig.to_plotly_json(), table(heads, rows, "funds.delayed", lang, len(delayed),
                                           t("funds.delayed.none", lang))
    return memoized("funds.projects", scope, *_key(resolved), compute=compute)


def _wan(yuan) -> str:
    """Yuan as 万元 with one decimal (the unit is in the column header)."""
    return "—" if yuan is None or pd.isna(yuan) else f"{float(yuan) / 10_000:,.1f}"


def table(heads: list[str], rows: list[tuple], prefix: str, lang: str, total: int, empty: str):
    """A compact striped table (text cells only), with 'n of total' under it."""
    if not rows:
        return html.P(empty, className="text-muted small mb-0")
    head = html.Thead(html.Tr([html.Th(t(f"{prefix}.col.{h}", lang)) for h in heads]))
    body = html.Tbody([html.Tr([html.Td(str(c)) for c in row]) for row in rows])
    note = t("funds.table.shown", lang, n=len(rows), total=f"{total:,}") if total > len(rows) else ""
    return [dbc.Table([head, body], size="sm", striped=True, hover=True, responsive=True,
                      className="mb-1"), html.Div(note, className="sun-note")]


CHART_CHOICE = {fid.PROGRESS_CHART: "payments", fid.OVERDUE_CHART: "outstanding",
                fid.LEDGER_CHART: "ledger", fid.DISCLOSURE_CHART: "disclosures",
                fid.DISCLOSURE_KINDS_CHART: "disclosures", fid.PROJECTS_CHART: "projects"}
GRID_CHARTS = (*CHART_CHOICE, fid.SANKEY_CHART)  # the charts whose clicks choose the records


def records_query(choice, *args):
    """The records grid's query (source and params) and the choice it shows: the chosen
    list for the page's region and period, or the records behind a clicked bar or node
    (a Sankey source or category node: the payments of that filter, which the click also
    writes to the URL)."""
    *clicks, resolved = args
    if not _ready(resolved):
        return no_update, no_update
    trigger = ctx.triggered_id
    key = trigger.get("key") if isinstance(trigger, dict) else None
    click = dict(zip(GRID_CHARTS, clicks)).get(key) if key else None
    data = _clicked(click)
    if key == fid.SANKEY_CHART:
        data = _node(click)
        if isinstance(data, (list, tuple)) and len(data) == 2 and data[0] == "program" \
                and str(data[1]).isdigit():  # a programme node (township level): its payments
            query = records_params("payments", resolved)
            query["params"]["program"] = int(data[1])
            return query, "payments"
        toggled = sankey_filter(data, resolved)
        if toggled is None:
            return no_update, no_update  # a link, a region node (it drills) or nothing
        return records_params("payments", toggled), "payments"
    if data is not None and key is not None:  # a click has a key
        choice = CHART_CHOICE[key]
    return records_params(choice, resolved, key, data), choice


def sankey_filter(data, resolved: dict) -> dict | None:
    """The resolved state with a clicked source or category node's filter toggled (as
    node_href writes it to the URL); None for any other node or a link."""
    if not isinstance(data, (list, tuple)) or len(data) != 2:
        return None
    kind, key = data
    if kind == "source" and key in qf.SOURCE_LEVELS:
        return {**resolved, "source": None if resolved.get("source") == key else key}
    if kind == "category" and isinstance(key, str):
        return {**resolved, "category": None if resolved.get("category") == key else key}
    return None


def _clicked(click):
    points = (click or {}).get("points") or []
    return points[0].get("customdata") if points else None


def records_params(choice, resolved: dict, chart=None, data=None) -> dict:
    """{"source", "params", "lang"} of the grid for a choice (and a clicked bar's data)."""
    parse_week(resolved["week"])  # a malformed week raises here, as before
    params = {"region": resolved["region"]}
    if choice in ("payments", "outstanding"):
        params["weeks"] = [format_week(w) for w in vf.window_weeks(resolved)]
        if resolved.get("category"):
            params["category"] = resolved["category"]
        if resolved.get("source") in qf.SOURCE_LEVELS:
            params["source"] = resolved["source"]
        if choice == "outstanding":
            params["only"] = "outstanding"
        if chart == fid.PROGRESS_CHART and isinstance(data, list) and len(data) >= 4:
            params["region"] = str(data[3])
        if chart == fid.OVERDUE_CHART and isinstance(data, list) and len(data) >= 2:
            params["region"] = str(data[1])
        source = "funds_payments"
    elif choice == "ledger":
        params["months"] = vf.window_months(resolved)
        if chart == fid.LEDGER_CHART and isinstance(data, list) and len(data) >= 4:
            params.update(months=[int(data[1])], category=str(data[2]), direction=str(data[3]))
        source = "funds_ledger"
    elif choice == "disclosures":  # due in the period, not on time (or a clicked segment)
        params["weeks"] = [format_week(w) for w in vf.window_weeks(resolved)]
        if chart == fid.DISCLOSURE_CHART and isinstance(data, list) and len(data) >= 5:
            params["region"] = str(data[4])
        if chart == fid.DISCLOSURE_KINDS_CHART and isinstance(data, list) and len(data) >= 2:
            params.update(kind=str(data[0]), status=str(data[1]))
        source = "funds_disclosures"
    else:
        if choice == "delayed":
            params["only"] = "delayed"
            if resolved.get("as_of"):
                params["as_of"] = str(resolved["as_of"])
        if chart == fid.PROJECTS_CHART and isinstance(data, str):
            params["category"] = data
        source = "funds_projects"
    return {"source": source, "params": params, "lang": resolved.get("lang", "zh-CN")}


# Exportable charts, re-created on the server from the resolved state (callbacks/chart_export.py)
_FUNDS = State(fid.RESOLVED, "data")
CHARTS = {
    fid.SANKEY_CHART: ChartSource(_FUNDS, lambda r: render_sankey(r)[0]),
    fid.PROGRESS_CHART: ChartSource(_FUNDS, lambda r: render_progress(r)[0]),
    fid.OVERDUE_CHART: ChartSource(_FUNDS, lambda r: render_overdue(r)[0]),
    fid.LEDGER_CHART: ChartSource(_FUNDS, render_ledger),
    fid.DISCLOSURE_CHART: ChartSource(_FUNDS, lambda r: render_disclosure(r)[0]),
    fid.DISCLOSURE_KINDS_CHART: ChartSource(_FUNDS, lambda r: render_disclosure(r)[1]),
    fid.PROJECTS_CHART: ChartSource(_FUNDS, lambda r: render_projects(r)[0]),
}


FIRST_CHOICE = "payments"  # the records list the page opens with


def first_records_query(resolved) -> dict | None:
    """The records grid's query in the page's first view (as `records_query` answers
    with no click), or None when there is no region or week to show."""
    return records_params(FIRST_CHOICE, resolved) if _ready(resolved) else None


def register(app) -> None:
    """Attach the funds callbacks to `app` (the layout drew the first view)."""
    app.callback(Output(ids.PAGES_LOCATION, "search", allow_duplicate=True),
                 Input(fid.REGION, "value"), Input(fid.WEEK, "value"), Input(fid.PERIOD, "value"),
                 Input(ids.chart(fid.SANKEY_CHART), "clickData"), Input(fid.CLEAR, "n_clicks"),
                 State(fid.RESOLVED, "data"), State(ids.PAGES_LOCATION, "search"),
                 prevent_initial_call=True)(to_url)
    app.callback(Output(ids_records.query("funds"), "data"), Output(fid.RECORDS_SOURCE, "value"),
                 Input(fid.RECORDS_SOURCE, "value"),
                 *[Input(ids.chart(key), "clickData") for key in GRID_CHARTS],
                 State(fid.RESOLVED, "data"), prevent_initial_call=True)(records_query)
    register_exports(app, CHARTS)
