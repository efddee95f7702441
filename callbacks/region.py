"""Region-profile callbacks: the layout (pages/region.py) draws the first view with these
functions; a period change updates the view in place and the URL (history.replaceState),
like the map, and the view -> KPI table, summary, reasons, children, trend and records."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update
from dash.development.base_component import Component

import ids
from callbacks.chart_export import ChartSource, register_exports
from callbacks.memo import memoized
from callbacks.page_state import region_chip
from components.attrs import html_attrs, level_class
from data.access import VIEW_DASHBOARDS
from i18n import t
from ids import map as ids_map
from ids import records as ids_records
from runtime import current_scope, get_engine
from views import map as vm
from views import region as vr

RIGHT = VIEW_DASHBOARDS  # what these callbacks need (checked on the server, callbacks/__init__.py)


def region_href(view: dict) -> str:
    return vm.region_href(view["region"], view)


def resolve(state):
    """URL state -> the view (region must be visible), period value, header chip."""
    state = state if isinstance(state, dict) else {}
    scope, lang = current_scope(), state.get("lang") or "zh-CN"
    if not state.get("region"):
        empty = {"region": None, "lang": lang}
        return empty, no_update, region_chip(None, lang)
    key = (state.get("region"), state.get("week"), state.get("period"))
    view = memoized("region.resolve", scope, *key, lang, compute=lambda: vm.resolve_view(
        get_engine(), scope, {**state, "metric": None}))
    view = {k: v for k, v in view.items() if k != "weeks"}
    view["lang"] = lang
    if view.get("region"):
        view["href"] = region_href(view)
    return view, view.get("period"), region_chip(view.get("name"), lang)


def period_to_view(period, view):
    if not isinstance(view, dict) or not view.get("region") or period == view.get("period"):
        return no_update
    new = {**view, "period": vm.clean_period(period)}
    new["href"] = region_href(new)
    return new


def render_crumbs(view):
    """Breadcrumb: ancestors link to their profiles; each level's map is one click away."""
    if not isinstance(view, dict) or not view.get("region"):
        return []
    lang, items = view["lang"], []
    chain = view.get("ancestors") or []
    for i, node in enumerate(chain):
        label = [node["name"], html.Small(t(f"level.{node['level']}", lang), className="sun-crumb-level")]
        if i == len(chain) - 1:
            items.append(html.Li(label, className="breadcrumb-item active"))
        else:
            items.append(html.Li(dcc.Link(label, href=vm.region_href(node["code"], view)),
                                 className="breadcrumb-item"))
    return items


def render_profile(view):
    """KPI table, summary line, reasons and children list of the view's region."""
    lang = (view or {}).get("lang", "zh-CN")
    if not isinstance(view, dict) or not view.get("region"):
        msg = dbc.Alert(t("region.none", lang), color="secondary")
        return msg, "", ""
    scope = current_scope()
    data = memoized("region.profile", scope, view["region"], view["week"], view["period"], lang,
                    compute=lambda: vr.profile_data(get_engine(), scope, view))
    if data is None:
        return dbc.Alert(t("region.none", lang), color="secondary"), "", ""
    return kpi_table(view, data), summary(view, data), reasons(view, data)


def render_children(view):
    """The region's sub-units by attention index (a callback of its own: one more read)."""
    if not isinstance(view, dict) or not view.get("region"):
        return ""
    scope = current_scope()
    kids = memoized("region.children", scope, view["region"], view["week"], view["period"],
                    view["lang"], compute=lambda: vr.children_data(get_engine(), scope, view))
    return children(view, {"children": kids})


def kpi_table(view, data):
    lang = view["lang"]
    head = [html.Th(t("map.panel.kpi", lang)), html.Th(t("region.kpis.value", lang)),
            html.Th(t("region.kpis.change", lang))]
    if data["has_parent"]:
        head += [html.Th(t("region.kpis.parent", lang)), html.Th(t("map.panel.rank_short", lang))]
    rows = [html.Tr(head)]
    for row in data["rows"]:
        cells = [html.Td(t(f"kpi.{row['key']}", lang)),
                 html.Td(row["value"], className=level_class(row["level"])),
                 html.Td(row["change"], className=f"sun-{row['direction']}")]
        if data["has_parent"]:
            cells += [html.Td(row["parent"]), html.Td(row["rank"])]
        rows.append(html.Tr(cells, **html_attrs({"data-key": row["key"]})))
    note = [html.P(t("map.note.no_village_disbursement", lang), className="sun-note")] \
        if view.get("level") == "village" else []
    return [dbc.Table(html.Tbody(rows), size="sm", borderless=True, className="sun-region-kpis mb-1"),
            html.P(t("region.kpis.note", lang, period=vm.period_label(view)), className="sun-note"), *note]


def summary(view, data):
    lang = view["lang"]
    parts: list[Component] = [html.Div([html.Span(view.get("name") or "", className="sun-map-panel-name"),
                       html.Span(t(f"level.{view.get('level')}", lang), className="badge text-bg-light ms-2")])]
    if data.get("population"):
        parts.append(html.Div(t("region.summary.population", lang, n=f"{data['population']:,.0f}")))
    rank, n = data["attention_rank"]
    if data.get("attention") is not None and rank:
        parts.append(html.P(t("region.summary.attention", lang, value=f"{data['attention']:.0f}",
                              rank=rank, n=n), className="sun-map-rank mb-1"))
    parts.append(dcc.Link(t("region.summary.open_map", lang),
                          href=vm.map_href({**view, "metric": "attention_index"}, region=view["region"]
                                           if view.get("level") != "village" else view["region"][:9].ljust(12, "0")),
                          className="btn btn-sm btn-outline-primary mt-1"))
    return parts


def reasons(view, data):
    lang = view["lang"]
    if not data["reasons"]:
        return html.P(t("region.reasons.none", lang), className="text-muted mt-2")
    return [html.Div(t("map.panel.reasons", lang), className="sun-map-panel-h"),
            html.Ul([html.Li(r) for r in data["reasons"]], className="sun-map-reasons")]


def children(view, data):
    lang = view["lang"]
    if not data["children"]:
        return ""
    return [html.Div(t("region.children.title", lang), className="sun-map-panel-h"),
            html.Ol([html.Li([dcc.Link(c["name"], href=c["href"], className="sun-map-worst-name"),
                              html.Span(c["attention"], className="sun-map-worst-value",
                                        title=t("index.attention", lang)),
                              html.Div(t("map.reasons_sep", lang).join(c["reasons"]),
                                       className="sun-note")], **html_attrs({"data-code": c["code"]}))
                     for c in data["children"]], className="sun-map-worst sun-region-children")]


def render_trend(view):
    from figures.theme import empty_figure
    lang = (view or {}).get("lang", "zh-CN")
    if not isinstance(view, dict) or not view.get("region"):
        return empty_figure(t("common.no_data", lang), height=230)
    scope = current_scope()
    return memoized("region.trend", scope, view["region"], view["week"], lang,
                    compute=lambda: vr.trend_figure(get_engine(), scope, view).to_plotly_json())


def render_timeline(view):
    from figures.theme import empty_figure
    lang = (view or {}).get("lang", "zh-CN")
    if not isinstance(view, dict) or not view.get("region"):
        return empty_figure(t("common.no_data", lang), height=600)
    scope = current_scope()
    return memoized("region.timeline", scope, view["region"], view["week"], lang,
                    compute=lambda: vr.timeline_figure(get_engine(), scope, view).to_plotly_json())


def records(view):
    if not isinstance(view, dict) or not view.get("region"):
        return None
    return vr.records_query(view)


URL_JS = """
function(view) {
    if (view && view.href && window.location.pathname.indexOf('/region/') === 0) {
        if (window.location.pathname + window.location.search !== view.href) {
            window.history.replaceState(window.history.state, '', view.href);
        }
    }
    return window.dash_clientside.no_update;
}
"""


# Exportable charts, re-created on the server from the profile's view (callbacks/chart_export.py)
CHARTS = {
    ids_map.REGION_TREND_CHART: ChartSource(State(ids_map.REGION_VIEW, "data"), render_trend),
    ids_map.REGION_TIMELINE_CHART: ChartSource(State(ids_map.REGION_VIEW, "data"), render_timeline),
}


def register(app) -> None:
    changed = {"prevent_initial_call": True}  # the layout (pages/region.py) drew the first view
    view = Input(ids_map.REGION_VIEW, "data")
    app.callback(Output(ids_map.REGION_VIEW, "data"),
                 Input(ids_map.REGION_PERIOD, "value"), State(ids_map.REGION_VIEW, "data"),
                 **changed)(period_to_view)
    app.callback(Output(ids_map.REGION_CRUMBS, "children"), view, **changed)(render_crumbs)
    app.callback(Output(ids_map.REGION_KPIS, "children"), Output(ids_map.REGION_SUMMARY, "children"),
                 Output(ids_map.REGION_REASONS, "children"), view, **changed)(render_profile)
    app.callback(Output(ids_map.REGION_CHILDREN, "children"), view, **changed)(render_children)
    app.callback(Output(ids.chart(ids_map.REGION_TREND_CHART), "figure"), view, **changed)(render_trend)
    app.callback(Output(ids.chart(ids_map.REGION_TIMELINE_CHART), "figure"), view, **changed)(render_timeline)
    app.callback(Output(ids_records.query(ids_map.REGION_RECORDS), "data"), view, **changed)(records)
    app.clientside_callback(URL_JS, Output(ids_map.REGION_ROOT, "title"), view, **changed)
    register_exports(app, CHARTS)
