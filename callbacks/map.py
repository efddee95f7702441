"""Hotspot-map callbacks.

The page's layout (pages/map.py) calls `resolve` and the `render_*` functions itself, so
the page arrives drawn; the callbacks below run only on a user's change.
Metric / period / week controls -> `controls_to_view` -> MAP_VIEW (no page reload; a
clientside callback rewrites the URL with history.replaceState so it stays a permalink).
MAP_VIEW -> `render_map`: the full figure when the region drawn changes, otherwise a
dash.Patch of the values only; `render_panel`, `render_crumbs`, `render_note`, and the
records grid's query. A click on a region -> `drill` (a new URL: the child's map, or a
village's profile).
"""
from __future__ import annotations

from pathlib import Path

import dash_bootstrap_components as dbc
from dash import Input, Output, Patch, State, dcc, html, no_update
from dash.development.base_component import Component

import ids
from callbacks.chart_export import ChartSource, register_exports
from callbacks.memo import memoized
from callbacks.page_state import as_of_text, region_chip
from components.attrs import html_attrs, level_class
from data.access import VIEW_DASHBOARDS
from data.codes import InvalidRegionCode, normalize_code
from data.queries.map import child_level_of
from i18n import t
from ids import map as ids_map
from ids import records as ids_records
from runtime import current_scope, data_version, get_engine, get_settings
from views import map as vm
from views.overview import week_option

RIGHT = VIEW_DASHBOARDS  # what these callbacks need (checked on the server, callbacks/__init__.py)


def _version():
    return data_version()


def resolve(state):
    """The URL's state -> the view, week options and value, as-of line, header chip."""
    state = state if isinstance(state, dict) else {}
    scope, lang = current_scope(), state.get("lang") or "zh-CN"
    key = tuple(state.get(k) for k in vm.VIEW_KEYS)
    view = memoized("map.resolve", scope, *key,
                    compute=lambda: vm.resolve_view(get_engine(), scope, state))
    view = {**view, "lang": lang}
    view["href"] = vm.map_href(view)
    options = [week_option(int(w[:4]) * 100 + int(w[-2:]), lang) for w in view["weeks"]]
    asof, chip = as_of_text(view.get("as_of"), lang), region_chip(view.get("name"), lang)
    light = {k: v for k, v in view.items() if k != "weeks"}
    return light, options, view["week"], view["metric"], view["period"], asof, chip


def controls_to_view(metric, period, week, view):
    """A control change updates the view in place (the URL follows, clientside)."""
    if not isinstance(view, dict) or not view.get("region"):
        return no_update
    new = {**view, "metric": vm.clean_metric(metric), "period": vm.clean_period(period),
           "week": _week_or(week, view.get("week"))}
    if all(new.get(k) == view.get(k) for k in ("metric", "period", "week")):
        return no_update
    new["href"] = vm.map_href(new)
    return new


def _week_or(week, default):
    from data.calendar import format_week, parse_week
    try:
        return format_week(parse_week(week)) if week else default
    except (ValueError, TypeError):
        return default


def children_of(scope, region: str | None, week: str, period: str):
    """The children frame of a region (memoized: the map, the patch and the panel share it,
    and a township's siblings are its county's map, usually cached by the drill)."""
    import pandas as pd
    if not region:
        return pd.DataFrame()
    return memoized("map.children", scope, region, week, period,
                    compute=lambda: vm.children_frame(get_engine(), scope, {
                        "region": region, "week": week, "period": period}))


def render_map(view, drawn):
    """Full figure on a new region; a Patch of the values when only metric/period/week changed."""
    if not isinstance(view, dict) or not view.get("region"):
        from figures.theme import empty_figure
        lang = (view or {}).get("lang", "zh-CN")
        return empty_figure(t("map.no_region", lang), height=520).to_plotly_json(), None
    scope = current_scope()
    key = (view["region"], view["week"], view["period"], view["metric"], view["lang"])
    if isinstance(drawn, dict) and drawn.get("region") == view["region"] \
            and drawn.get("lang") == view["lang"]:
        ops = memoized("map.patch", scope, *key, compute=lambda: vm.map_patch_ops(
            get_engine(), scope, view, children_of(scope, view["region"], view["week"], view["period"])))
        patch = Patch()
        for path, value in ops:
            target = patch
            for part in path[:-1]:
                target = target[part]
            target[path[-1]] = value
        return patch, no_update
    figure = memoized("map.figure", scope, *key, compute=lambda: vm.map_figure(
        get_engine(), scope, view, cache_dir=Path(get_settings().cache_dir), version=_version(),
        frame=children_of(scope, view["region"], view["week"], view["period"])).to_plotly_json())
    return figure, {"region": view["region"], "lang": view["lang"]}


def render_crumbs(view):
    """Breadcrumb back up: every visible ancestor links to its map."""
    if not isinstance(view, dict):
        return []
    items = []
    for item in vm.breadcrumb(view):
        label = [item["label"], html.Small(t(f"level.{item['level']}", view["lang"]),
                                           className="sun-crumb-level")]
        if item["current"]:
            items.append(html.Li(label, className="breadcrumb-item active", **html_attrs({"aria-current": "page"})))
        else:
            items.append(html.Li(dcc.Link(label, href=item["href"]), className="breadcrumb-item"))
    return items


def render_note(view):
    """Direction of the colours, the period, and whether boundaries are synthetic."""
    if not isinstance(view, dict) or not view.get("region"):
        return ""
    lang = view["lang"]
    parts = [t("map.note.period", lang, period=vm.period_label(view))]
    level = child_level_of(view["region"])
    if level == "village":
        parts.append(t("map.note.villages", lang))
    if view["metric"] in ("disbursement_rate_ytd",) and level == "village":
        parts.append(t("map.note.no_village_disbursement", lang))
    parent, layer_level = vm.geometry_of(view) if level else (None, None)
    if parent:
        from geo.layers import layer_sources
        sources = memoized("map.sources", current_scope(), parent, layer_level, compute=lambda: _sources(
            parent, layer_level, layer_sources))
        if "synthetic" in sources:
            parts.append(t("geo.synthetic_note", lang))
    return " ".join(parts)


def _sources(parent, level, layer_sources):
    with get_engine().connect() as conn:
        return sorted(layer_sources(conn, parent, level))


def render_panel(view):
    """KPIs vs the parent, rank among siblings, reasons in words, worst children."""
    if not isinstance(view, dict) or not view.get("region"):
        return html.P(t("map.no_region", (view or {}).get("lang")), className="text-muted")
    scope = current_scope()
    key = (view["region"], view["week"], view["period"], view["metric"], view["lang"])
    def compute():
        chain = view.get("ancestors") or []
        parent = chain[-2]["code"] if len(chain) >= 2 else None
        sibs = children_of(scope, parent, view["week"], view["period"]) if parent else None
        kids = None if parent else children_of(scope, view["region"], view["week"], view["period"])
        return vm.panel_data(get_engine(), scope, view, siblings=sibs, children=kids)
    data = memoized("map.panel", scope, *key, compute=compute)
    return panel_children(view, data)


def render_worst(view):
    """The children needing most attention on the metric, with reasons and links."""
    if not isinstance(view, dict) or not view.get("region") or not child_level_of(view["region"]):
        return ""
    scope, lang, metric = current_scope(), view["lang"], view["metric"]
    key = (view["region"], view["week"], view["period"], metric, lang)
    worst = memoized("map.worst", scope, *key, compute=lambda: vm.worst_children(
        children_of(scope, view["region"], view["week"], view["period"]), metric, view, n=5))
    if not worst:
        return ""
    return [html.Div(t("map.panel.worst", lang, metric=t(f"kpi.{metric}", lang)), className="sun-map-panel-h"),
            html.Ol([html.Li([dcc.Link(w["name"], href=w["href"], className="sun-map-worst-name"),
                              html.Span(w["value"], className=f"sun-map-worst-value {level_class(w['level'])}"),
                              html.Div(t("map.reasons_sep", lang).join(w["reasons"]),
                                       className="sun-note")], **html_attrs({"data-code": w["code"]})) for w in worst],
                    className="sun-map-worst")]


def panel_children(view: dict, data: dict) -> list:
    lang, metric = view["lang"], view["metric"]
    rank, n = data["metric_rank"]
    head: list[Component] = [html.Div([html.Span(view.get("name") or "", className="sun-map-panel-name"),
                      html.Span(t(f"level.{view.get('level')}", lang), className="badge text-bg-light ms-2")]),
            html.Div(vm.period_label(view), className="sun-note")]
    if rank:
        head.append(html.P(t("map.panel.rank", lang, metric=t(f"kpi.{metric}", lang), rank=rank, n=n,
                             parent=data.get("parent_name") or ""), className="sun-map-rank mb-1"))
    elif data.get("rank_na"):
        head.append(html.P(t("map.panel.rank_na", lang, metric=t(f"kpi.{metric}", lang)),
                           className="sun-map-rank text-muted mb-1"))
    if data.get("attention") is not None:
        if data.get("attention_basis") == "children":
            text = t("map.panel.attention_children", lang, value=f"{data['attention']:.0f}",
                     level=t(f"level.{data.get('child_level')}", lang))
        else:
            text = t("map.panel.attention", lang, value=f"{data['attention']:.0f}")
        head.append(html.P(text, className="mb-1", id="map-panel-attention"))
    reasons = ([html.Div(t("map.panel.reasons", lang), className="sun-map-panel-h"),
                html.Ul([html.Li(r) for r in data["reasons"]], className="sun-map-reasons")]
               if data["reasons"] else [])
    has_parent = bool(data.get("parent_name"))
    header = [html.Th(t("map.panel.kpi", lang)), html.Th(t("map.panel.here", lang))]
    if has_parent:
        header += [html.Th(data["parent_name"]), html.Th(t("map.panel.rank_short", lang))]
    rows = [html.Tr(header)]
    for row in data["rows"]:
        cells = [html.Td(t(f"kpi.{row['key']}", lang)), html.Td(row["value"], className=level_class(row["level"]))]
        if has_parent:
            cells += [html.Td(row["parent"]),
                      html.Td(f"{row['rank']}/{row['n']}" if row["rank"] else "—")]
        rows.append(html.Tr(cells, **html_attrs({"data-key": row["key"]})))
    table = dbc.Table(html.Tbody(rows), size="sm", className="sun-map-kpis mb-2", borderless=True)
    profile = dcc.Link(t("map.panel.profile", lang), href=vm.region_href(view["region"], view),
                       className="btn btn-sm btn-outline-primary mt-2", id="map-profile-link")
    return [*head, *reasons, table, profile]


def records_choice(metric):
    """The records listed follow the metric (overdue complaints for the overdue rate ...)."""
    return vm.record_choice_for({"metric": vm.clean_metric(metric)})


def records_query(choice, view):
    if not isinstance(view, dict) or not view.get("region"):
        return None
    return vm.records_query(view, choice)


def drill(click, view):
    """A click on a region opens its map; on a village, its profile."""
    if not isinstance(view, dict) or not isinstance(click, dict):
        return no_update
    points = click.get("points") or []
    if not points:
        return no_update
    point = points[0]
    code = point.get("location") or ((point.get("customdata") or [None])[0])
    try:
        code = normalize_code(str(code))
    except InvalidRegionCode:
        return no_update
    if code == view["region"] or not current_scope().allows(code):
        return no_update
    if child_level_of(code) is None:  # a village: its profile
        return vm.region_href(code, view)
    return vm.map_href(view, region=code)


URL_JS = """
function(view) {
    if (view && view.href && window.location.pathname === '/map') {
        var want = view.href;
        if (window.location.pathname + window.location.search !== want) {
            window.history.replaceState(window.history.state, '', want);
        }
    }
    return window.dash_clientside.no_update;
}
"""


# Exportable chart, re-created on the server from the map's view (callbacks/chart_export.py)
CHARTS = {ids_map.MAP_CHART: ChartSource(State(ids_map.MAP_VIEW, "data"), lambda view: render_map(view, None)[0])}


def register(app) -> None:
    """Attach the map callbacks to `app`."""
    changed = {"prevent_initial_call": True}  # the layout drew the first view
    app.callback(Output(ids_map.MAP_VIEW, "data"),
                 Input(ids_map.MAP_METRIC, "value"), Input(ids_map.MAP_PERIOD, "value"),
                 Input(ids_map.MAP_WEEK, "value"), State(ids_map.MAP_VIEW, "data"), **changed)(controls_to_view)
    app.callback(Output(ids.chart(ids_map.MAP_CHART), "figure"), Output(ids_map.MAP_DRAWN, "data"),
                 Input(ids_map.MAP_VIEW, "data"), State(ids_map.MAP_DRAWN, "data"), **changed)(render_map)
    app.callback(Output(ids_map.MAP_CRUMBS, "children"), Input(ids_map.MAP_VIEW, "data"), **changed)(render_crumbs)
    app.callback(Output(ids_map.MAP_NOTE, "children"), Input(ids_map.MAP_VIEW, "data"), **changed)(render_note)
    app.callback(Output(ids_map.MAP_PANEL, "children"), Input(ids_map.MAP_VIEW, "data"), **changed)(render_panel)
    app.callback(Output(ids_map.MAP_WORST, "children"), Input(ids_map.MAP_VIEW, "data"), **changed)(render_worst)
    app.callback(Output(ids_map.MAP_RECORDS_CHOICE, "value"), Input(ids_map.MAP_METRIC, "value"),
                 **changed)(records_choice)
    app.callback(Output(ids_records.query(ids_map.MAP_RECORDS), "data"),
                 Input(ids_map.MAP_RECORDS_CHOICE, "value"), Input(ids_map.MAP_VIEW, "data"),
                 **changed)(records_query)
    app.callback(Output(ids.PAGES_LOCATION, "href", allow_duplicate=True),
                 Input(ids.chart(ids_map.MAP_CHART), "clickData"), State(ids_map.MAP_VIEW, "data"),
                 prevent_initial_call=True)(drill)
    app.clientside_callback(URL_JS, Output(ids_map.MAP_URL_SINK, "children"),
                            Input(ids_map.MAP_VIEW, "data"), **changed)
    register_exports(app, CHARTS)
