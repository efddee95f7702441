"""Complaints: the views of the page (one `render_*` per section) and its callbacks.

The page's layout (pages/complaints.py) resolves the URL state (`resolve_state`) and
calls the `render_*` functions and `grid_queries` itself, so the page arrives drawn with
no callback round. The callbacks left are a user's: a control change writes the URL
(`controls_to_url`), which renders the page again; the chart exports.
Every result is memoized per scope and data version (callbacks.memo). No output carries
complainant identity: the queries never select it, and complaint text reaches the
browser only inside the records grid as plain cell text.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from dash import Input, Output, State, dcc, html, no_update

import ids
from callbacks.chart_export import ChartSource, register_exports
from callbacks.memo import memoized
from callbacks.page_state import as_of_line, page_lang, region_chip
from components.attrs import html_attrs, level_class
from components.state import STATE_KEYS
from data.access import VIEW_DASHBOARDS
from data.calendar import format_week, parse_week
from data.rules.spikes import SpikeRule
from i18n import t
from i18n.numbers import format_value
from ids import complaints as cid
from runtime import current_scope, get_engine, get_settings
from views import complaints as view

RIGHT = VIEW_DASHBOARDS  # what these callbacks need (checked on the server, callbacks/__init__.py)

PAGE_KEYS = ("period", "span", "by")
OPEN_GRID = "complaints-open"
SERVICES_GRID = "complaints-services-overdue"


def _rule() -> SpikeRule:
    return SpikeRule.of(get_settings().spike_rule)


def _key(resolved: dict, *extra) -> tuple:
    r = resolved or {}
    return (r.get("region"), r.get("week"), r.get("period"), r.get("span"), r.get("by"),
            page_lang(r), *extra)


def resolve_state(state: dict):
    """Picker options and values, the as-of line, the header chip, the resolved state."""
    state, scope, lang = state or {}, current_scope(), page_lang(state)
    resolved = memoized("cp.resolve", scope, *[state.get(k) for k in ("region", "week", "period", "span", "by")],
                        lang, compute=lambda: view.resolve(get_engine(), scope, state))
    regions = memoized("cp.regions", scope, resolved["root"], resolved["region"], lang,
                       compute=lambda: view.region_options(get_engine(), scope, resolved["root"],
                                                           resolved["region"], lang))
    weeks = memoized("cp.weeks", scope, lang, compute=lambda: view.week_options(get_engine(), lang))
    return (regions, resolved["region"], weeks, resolved["week"], as_of_line(resolved, lang),
            region_chip(resolved.get("region_name"), lang), resolved)


def controls_to_url(region, week, period, span, by, resolved, search):
    """A user's pick becomes the URL (the state); the resolved defaults never loop back."""
    if not resolved:
        return no_update
    picked = {"region": region, "week": week, "period": period, "span": span, "by": by}
    if all(picked[k] == resolved.get(k) for k in picked):
        return no_update
    parsed = parse_qs((search or "").lstrip("?"))
    query = {k: parsed[k][-1] for k in (*STATE_KEYS, *PAGE_KEYS) if parsed.get(k)}
    for key, value in picked.items():
        if value:
            query[key] = format_week(parse_week(value)) if key == "week" else value
    ordered = {k: query[k] for k in (*STATE_KEYS, *PAGE_KEYS) if query.get(k)}
    return "?" + urlencode(ordered)


# --- trend and hotspots ------------------------------------------------------------------

def render_trend(resolved):
    """The trend figure without the hotspots' marks (render_hotspots finds those;
    `trend_with_marks` puts the two together)."""
    scope, lang = current_scope(), page_lang(resolved)

    def compute():
        fig, used = view.trend_view(get_engine(), scope, resolved or {"lang": lang, "by": "category"}, _rule())
        note = t("complaints.trend.fallback", lang) if used != (resolved or {}).get("by") else ""
        return {"figure": fig.to_plotly_json(), "for": _marks_key(resolved)}, note
    return memoized("cp.trend", scope, *_key(resolved), compute=compute)


def _marks_key(resolved) -> str:
    """What the hotspots' marks depend on: the browser adds marks to a trend of the same."""
    r = resolved or {}
    return "|".join(str(r.get(k)) for k in ("region", "week", "by", "lang"))


def render_hotspots(resolved):
    """The spike rule in words, the hotspot list and the hotspots' marks on the trend."""
    scope, lang, rule = current_scope(), page_lang(resolved), _rule()
    rule_text = t("complaints.spikes.rule", lang, weeks=rule.baseline_weeks, alpha=f"{rule.alpha:g}",
                  min_count=rule.min_count)

    def compute():
        r = resolved or {}
        hot = view.hotspots_view(get_engine(), scope, r, rule)
        marks = view.unit_spike_marks(hot, r) if r else None
        return hotspot_list(hot, r, lang), marks and {"trace": marks, "for": _marks_key(resolved)}
    items, marks = memoized("cp.hot", scope, *_key(resolved), rule, compute=compute)
    return rule_text, items, marks


def trend_with_marks(base: dict | None, found: dict | None) -> dict:
    """The trend figure with the hotspots' marks (a trace without y) placed on its drawn
    total line, when both are of the same state (`_marks_key`); else the trend alone."""
    if not base:
        return {}
    figure = base["figure"]
    marks = found["trace"] if found and found.get("for") == base.get("for") else None
    total = next((tr for tr in figure.get("data") or [] if tr.get("meta") == "total"), None)
    if not marks or not len(marks.get("x") or ()) or total is None:
        return figure
    at = dict(zip(list(total["x"]), list(total["y"])))
    keep = [i for i, x in enumerate(marks["x"]) if x in at]
    trace = {**marks, "x": [marks["x"][i] for i in keep], "y": [at[marks["x"][i]] for i in keep],
             "text": [marks["text"][i] for i in keep]}
    return {**figure, "data": [*figure["data"], trace]}


def _link_query(resolved: dict, region: str | None) -> str:
    query = {"region": region, "week": resolved.get("week"), "lang": resolved.get("lang")}
    return urlencode({k: v for k, v in query.items() if v})


def hotspot_list(hot, resolved: dict, lang: str):
    """Hotspots as a list: name, what rose by how much, links to the map and the profile."""
    if hot.empty:
        return html.P(t("complaints.spikes.empty", lang), className="text-muted mb-0")
    items = []
    for row in hot.itertuples():
        code = row.key if row.kind == "township" else resolved.get("region")
        detail = t("complaints.spikes.detail", lang, week=format_week(int(row.week_key)),
                   count=f"{row.count:,.0f}", baseline=f"{row.baseline:,.1f}", limit=f"{row.limit:,.0f}",
                   ratio=f"{row.ratio:.1f}")
        query = _link_query(resolved, code)
        items.append(html.Li([
            html.Div([
                html.Span(t(f"complaints.spikes.kind.{row.kind}", lang), className=f"sun-cp-kind sun-cp-kind-{row.kind}"),
                html.Span(str(row.name), className="sun-cp-hot-name"),
                html.Span(str(row.parent or ""), className="sun-hot-parent"),
            ]),
            html.Div(detail, className="sun-cp-hot-detail"),
            html.Div(t("complaints.spikes.weeks", lang,
                       weeks=t("common.list_sep", lang).join(format_week(w) for w in row.weeks)),
                     className="sun-cp-hot-detail"),
            html.Div([
                dcc.Link(t("complaints.spikes.open_map", lang), href=f"/map?{query}",
                         title=t("complaints.spikes.map_title", lang), className="sun-cp-link"),
                dcc.Link(t("complaints.spikes.open_profile", lang), href=f"/region/{code}?{query}",
                         title=t("complaints.spikes.profile_title", lang), className="sun-cp-link"),
            ], className="sun-cp-hot-links"),
        ], className="sun-cp-hot-item", **html_attrs({"data-code": str(code), "data-week": str(int(row.week_key))})))
    return html.Ul(items, className="sun-cp-hot-list")


# --- handling -----------------------------------------------------------------------------

def _tile(label: str, value: str, hint: str, *, tone: str = "") -> html.Div:
    return html.Div([html.Div(label, className="sun-cp-tile-label"),
                     html.Div(value, className="sun-cp-tile-value"),
                     html.Div(hint, className="sun-cp-tile-hint")],
                    className=f"sun-cp-tile {tone}".strip())


def _days(value, lang: str) -> str:
    return "—" if value is None else t("complaints.tile.days", lang, value=f"{value:.1f}")


def render_handling(resolved):
    scope, lang = current_scope(), page_lang(resolved)

    def compute():
        out = view.handling_view(get_engine(), scope, resolved or {"lang": lang})
        s = out["summary"]
        as_of = (resolved or {}).get("as_of") or ""
        tiles = html.Div([
            _tile(t("complaints.tile.on_time", lang), format_value(s["on_time_completion_rate"], "rate", lang),
                  t("complaints.tile.on_time_hint", lang)),
            _tile(t("complaints.tile.avg_reply", lang), _days(s["avg_days_to_reply"], lang),
                  t("complaints.tile.avg_reply_hint", lang)),
            _tile(t("complaints.tile.avg_close", lang), _days(s["avg_days_to_close"], lang),
                  t("complaints.tile.avg_close_hint", lang)),
            _tile(t("complaints.tile.open", lang), format_value(out["open"], "count", lang),
                  t("complaints.tile.open_hint", lang, date=as_of, overdue=f"{out['open_overdue']:,}"),
                  tone="sun-cp-tile-warn" if out["open_overdue"] else ""),
        ], className="sun-cp-tile-row")
        return tiles, out["funnel"].to_plotly_json(), out["age"].to_plotly_json()
    return memoized("cp.handling", scope, *_key(resolved), compute=compute)


def grid_queries(resolved):
    """The two records grids' queries (source, params, lang) for the resolved region."""
    r = resolved or {}
    lang = page_lang(r)
    if not r.get("region"):
        return None, None
    params = {"region": r["region"], "as_of": r.get("as_of")}
    return ({"source": "complaints_open", "params": params, "lang": lang},
            {"source": "services_overdue", "params": params, "lang": lang})


# --- units --------------------------------------------------------------------------------

RATE_COLUMNS = (("reply_rate", "reply_below"), ("satisfaction_rate", "satisfaction_below"),
                ("repeat_complaint_rate", "repeat_above"), ("on_time_completion_rate", None))


def league_table(frame, lang: str, *, kind: str, level: str = "township"):
    """A league table; each rate coloured by its judgement, a unit missing any floor a red name."""
    if frame.empty:
        return html.P(t("complaints.units.empty", lang), className="text-muted mb-0")
    head = [t("complaints.units.col.unit", lang)]
    if kind == "township":
        head.append(t(f"complaints.units.col.parent_{level}", lang))
    head += [t("complaints.units.col.received", lang)] + [t(f"complaints.units.col.{c}", lang) for c, _ in RATE_COLUMNS]
    rows = []
    for row in frame.to_dict("records"):
        name = row.get("name") if kind == "township" else t(f"complaints.department.{row['code']}", lang)
        cells = [html.Td(str(name or row["code"]), className="sun-cp-unit" + (" sun-cp-miss" if row["misses"] else ""))]
        if kind == "township":
            cells.append(html.Td(str(row.get("county_name") or ""), className="text-muted"))
        cells.append(html.Td(format_value(row["received"], "count", lang), className="text-end"))
        for col, _ in RATE_COLUMNS:  # text and colour from the judgement (views.complaints.league)
            cells.append(html.Td(row[f"{col}_text"], className=f"text-end {level_class(row[f'{col}_level'])}"))
        rows.append(html.Tr(cells, **html_attrs({"data-code": str(row["code"]), "data-misses": str(row["misses"])})))
    return html.Div(html.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)],
                               className="table table-sm sun-cp-table mb-0"), className="sun-cp-table-wrap")


def render_units(resolved):
    scope, lang = current_scope(), page_lang(resolved)
    floors = get_settings().complaint_floors

    def compute():
        out = view.units_view(get_engine(), scope, resolved or {"lang": lang}, floors)
        note = t("complaints.units.subtitle", lang, period=view.period_label(resolved) if (resolved or {}).get("region") else "",
                 reply=format_value(floors[0], "rate", lang), satisfaction=format_value(floors[1], "rate", lang),
                 repeat=format_value(floors[2], "rate", lang))
        if out["n_townships"]:
            note += " " + t(f"complaints.units.note_{out['level']}", lang, below=out["n_below"],
                            total=out["n_townships"], shown=len(out["townships"]))
        return (note, league_table(out["townships"], lang, kind="township", level=out["level"]),
                league_table(out["departments"], lang, kind="department"))
    return memoized("cp.units", scope, *_key(resolved), floors, compute=compute)


# --- 我要办 --------------------------------------------------------------------------------

def render_services(resolved):
    scope, lang = current_scope(), page_lang(resolved)

    def compute():
        out = view.services_view(get_engine(), scope, resolved or {"lang": lang}, limit=0)
        s = out["summary"]
        avg = "—" if s["avg_rating"] is None else f"{s['avg_rating']:.2f} / 5"
        tiles = html.Div([
            _tile(t("complaints.services.tile.submitted", lang), format_value(s["submitted"], "count", lang),
                  t("complaints.services.tile.submitted_hint", lang)),
            _tile(t("complaints.services.tile.on_time", lang), format_value(s["on_time_rate"], "rate", lang),
                  t("complaints.services.tile.on_time_hint", lang)),
            _tile(t("complaints.services.tile.avg_rating", lang), avg,
                  t("complaints.services.tile.avg_rating_hint", lang)),
            _tile(t("complaints.services.tile.overdue", lang), format_value(out["overdue_total"], "count", lang),
                  t("complaints.services.tile.overdue_hint", lang, date=(resolved or {}).get("as_of") or ""),
                  tone="sun-cp-tile-warn" if out["overdue_total"] else ""),
        ], className="sun-cp-tile-row")
        return tiles, out["figure"].to_plotly_json(), out["ratings"].to_plotly_json()
    return memoized("cp.services", scope, *_key(resolved), compute=compute)


# Exportable charts, re-created on the server from the resolved state (callbacks/chart_export.py);
# the trend is exported without the hotspot marks the browser adds.
CHARTS = {
    cid.TREND_CHART: ChartSource(State(cid.RESOLVED, "data"), lambda r: render_trend(r)[0]["figure"]),
    cid.FUNNEL_CHART: ChartSource(State(cid.RESOLVED, "data"), lambda r: render_handling(r)[1]),
    cid.AGE_CHART: ChartSource(State(cid.RESOLVED, "data"), lambda r: render_handling(r)[2]),
    cid.SERVICES_CHART: ChartSource(State(cid.RESOLVED, "data"), lambda r: render_services(r)[1]),
    cid.RATINGS_CHART: ChartSource(State(cid.RESOLVED, "data"), lambda r: render_services(r)[2]),
}


def register(app) -> None:
    """Attach the complaints page callbacks to `app` (the layout drew the first view)."""
    app.callback(Output(ids.PAGES_LOCATION, "search", allow_duplicate=True),
                 Input(cid.REGION, "value"), Input(cid.WEEK, "value"), Input(cid.PERIOD, "value"),
                 Input(cid.SPAN, "value"), Input(cid.BY, "value"),
                 State(cid.RESOLVED, "data"), State(ids.PAGES_LOCATION, "search"),
                 prevent_initial_call=True)(controls_to_url)
    register_exports(app, CHARTS)
