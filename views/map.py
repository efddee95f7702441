"""What the hotspot map shows, assembled from queries, geometry and figures; no dash.

The map's view is a plain dict (the `map-view` store and the URL):
{region, week, metric, period, lang} plus what `resolve_view` adds (level, name, root,
as_of, ancestors). One function per piece: the figure (or the patch of its values),
the breadcrumb, the side panel and the records query.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pandas as pd

from data import queries
from data.calendar import format_week, parse_week
from data.codes import LEVELS, ancestor_at, level_of, prefix_of
from data.indicators import ATTENTION_WEIGHTS, INDICATORS
from data.judgement import (
    BAD_LEVELS,
    Context,
    attention_reasons,
    judge_frame,
    judge_row,
    judgement_of,
    reason_sentences,
    sentence_value,
)
from data.periods import PERIOD_KINDS, period_bounds, period_weeks
from data.queries.map import (
    DEFAULT_METRIC,
    MAP_METRICS,
    child_level_of,
    fetch_map_children,
    fetch_region_totals,
    rank_among,
    totals_of_children,
)
from figures.geo import place_bounds
from figures.map import metric_values, patch_ops, region_map, village_map
from figures.theme import with_export_meta
from geo.layers import cached_places, layer_url
from i18n import t
from i18n.numbers import format_value
from views.geometry import with_places

VIEW_KEYS = ("region", "week", "lang", "metric", "period")
PANEL_KPIS = ("complaints_received", "complaints_per_10k", "on_time_completion_rate",
              "satisfaction_rate", "repeat_complaint_rate", "new_clues",
              "disbursement_rate_ytd", "disclosure_on_time_rate", "reporting_completeness")
# metric -> (records source, extra params) listed under the map
RECORDS_FOR_METRIC = {
    "overdue_rate": ("complaints", {"only": "overdue"}),
    "on_time_completion_rate": ("complaints", {"only": "overdue"}),
    "repeat_complaint_rate": ("complaints", {"only": "repeat"}),
    "new_clues": ("clues", {}),
    "new_clue_amount": ("clues", {}),
    "disbursement_rate_ytd": ("payments_overdue", {}),
    "disclosure_on_time_rate": ("disclosures_missed", {}),
}
RECORD_CHOICES = ("complaints", "complaints_overdue", "complaints_repeat", "clues",
                  "payments_overdue", "disclosures_missed")


def clean_metric(value) -> str:
    return value if value in MAP_METRICS else DEFAULT_METRIC


def clean_period(value) -> str:
    return value if value in PERIOD_KINDS else "week"


def map_href(view: dict, **overrides) -> str:
    """/map with the view's URL keys (region as 6 digits when it can be)."""
    merged = {**view, **overrides}
    query = {}
    for key in VIEW_KEYS:
        value = merged.get(key)
        if not value:
            continue
        if key == "region":
            value = value[:6] if value.endswith("000000") else value
        if (key, value) in (("metric", DEFAULT_METRIC), ("period", "week")):
            continue
        query[key] = value
    return "/map" + ("?" + urlencode(query) if query else "")


def region_href(code: str, view: dict) -> str:
    """The region profile, keeping week, lang and period."""
    query = {k: view[k] for k in ("week", "lang", "period") if view.get(k) and
             not (k == "period" and view[k] == "week")}
    return f"/region/{code}" + ("?" + urlencode(query) if query else "")


def resolve_view(engine, scope, state: dict) -> dict:
    """The URL's state made concrete: region (default: dataset root), latest week with
    data when absent or unknown, metric and period validated; plus names for display."""
    with engine.connect() as conn:
        info = queries.fetch_dataset_info(conn)
        root = scope.home(info.get("root_code"))
        region = queries.fetch_region(conn, scope, state.get("region") or root or "")
        weeks = queries.fetch_weeks(conn)
        chain = ancestors(conn, scope, region["code"], root) if region else []
    wanted = state.get("week")
    try:
        week = format_week(parse_week(wanted)) if wanted and parse_week(wanted) in weeks else None
    except ValueError:
        week = None
    week = week or (format_week(weeks[0]) if weeks else None)
    return {"region": region["code"] if region else None,
            "name": region["name"] if region else None,
            "level": region["level"] if region else None,
            "week": week, "metric": clean_metric(state.get("metric")),
            "period": clean_period(state.get("period")), "lang": state.get("lang") or "zh-CN",
            "root": root, "as_of": info.get("as_of"), "ancestors": chain,
            "weeks": [format_week(w) for w in weeks]}


def ancestors(conn, scope, code: str, root: str | None = None) -> list[dict]:
    """Visible ancestors of a region, top first, then the region: [{code, name, level}];
    none above the dataset's root (the rest of China's tree is there for imports, not
    for the breadcrumb)."""
    level = level_of(code)
    chain = []
    top = LEVELS.index(level_of(root)) if root and code.startswith(prefix_of(root)) else 0
    for lvl in LEVELS[top: LEVELS.index(level) + 1]:
        anc = ancestor_at(code, lvl)
        if lvl != level and anc == code:
            continue
        row = queries.fetch_region(conn, scope, anc)
        if row:
            chain.append({"code": row["code"], "name": row["name"], "level": row["level"]})
    return chain


def children_frame(engine, scope, view: dict) -> pd.DataFrame:
    with engine.connect() as conn:
        return fetch_map_children(conn, scope, region_code=view["region"],
                                  week_key=parse_week(view["week"]), period=view["period"])


def geometry_of(view: dict) -> tuple[str, str]:
    """(parent, level) of the layer URL drawn for the view's region (not a village: it
    has no children to draw, and its callers check `child_level_of` first)."""
    region = view["region"]
    child = child_level_of(region)
    if child is None:
        raise ValueError(f"a village has no map layer: {region}")
    if child == "village":  # the township's outline: one feature of its county's layer
        return ancestor_at(region, "county"), "township"
    return region, child


def map_figure(engine, scope, view: dict, *, cache_dir: Path, version: str,
               frame: pd.DataFrame | None = None):
    """The whole map figure of the view (geometry by URL, values and names inline);
    `frame` is `children_frame(view)` when the caller has it already."""
    from figures.theme import empty_figure
    lang = view.get("lang", "zh-CN")
    if not view.get("region") or child_level_of(view["region"]) is None:
        return empty_figure(t("map.no_children", lang), height=520)
    frame = children_frame(engine, scope, view) if frame is None else frame
    if frame.empty:  # nothing visible: no geometry either
        return empty_figure(t("common.no_data", lang), height=520)
    parent, level = geometry_of(view)
    url = layer_url(parent, level, version)
    with engine.connect() as conn:
        places = cached_places(conn, parent, level, cache_dir, version)
    context = map_context(view, frame)
    if child_level_of(view["region"]) == "village":
        town = places.get(view["region"])
        fig = village_map(frame.dropna(subset=["lon", "lat"]), view["metric"], township_code=view["region"],
                          geojson_url=url, lang=lang, bounds=place_bounds(town) if town else None,
                          context=context)
    else:
        fig = region_map(with_places(frame, places), view["metric"], geojson_url=url, lang=lang, context=context)
    return with_export_meta(fig, **export_stamp(view))


def map_context(view: dict, frame: pd.DataFrame) -> Context:
    """What the map's regions are judged against: the period's last week, and each other."""
    return Context(week_key=max(period_weeks(view.get("period", "week"), parse_week(view["week"]))), peers=frame)


def map_patch_ops(engine, scope, view: dict, frame: pd.DataFrame | None = None) -> list:
    """The (path, value) changes that recolour the drawn map for the view's metric/period."""
    frame = children_frame(engine, scope, view) if frame is None else frame
    level = child_level_of(view["region"])
    if level == "village":
        frame = frame.dropna(subset=["lon", "lat"])
    values = metric_values(frame, view["metric"], view.get("lang", "zh-CN"), map_context(view, frame))
    ops = patch_ops(level, values, frame)
    ops.append((("layout", "meta", "export"), export_stamp(view)))
    return ops


def export_stamp(view: dict) -> dict:
    lang = view.get("lang", "zh-CN")
    metric_key = f"kpi.{view.get('metric', DEFAULT_METRIC)}"
    return {"title": f"{t('map.title', lang)} · {t(metric_key, lang)}",
            "region": view.get("name") or "", "period": period_label(view),
            "as_of": view.get("as_of") or ""}


def period_label(view: dict) -> str:
    """'2026-W46' for a week, else 'quarter to 2026-W46 (2026-10-01 – 2026-11-15)'."""
    lang = view.get("lang", "zh-CN")
    week, kind = view.get("week"), view.get("period", "week")
    if not week:
        return ""
    if kind == "week":
        return week
    start, end = period_bounds(kind, parse_week(week))
    return t("map.period_label", lang, period=t(f"map.period.{kind}", lang), week=week,
             start=start.isoformat(), end=end.isoformat())


def breadcrumb(view: dict) -> list[dict]:
    """[{label, href, current}] from the top visible ancestor to the region."""
    items = []
    chain = view.get("ancestors") or []
    for i, node in enumerate(chain):
        items.append({"label": node["name"], "href": map_href(view, region=node["code"]),
                      "level": node["level"], "current": i == len(chain) - 1})
    return items


# --- side panel -----------------------------------------------------------------------

def panel_data(engine, scope, view: dict, siblings: pd.DataFrame | None = None,
               children: pd.DataFrame | None = None) -> dict:
    """The region's KPIs vs its parent, its rank among its siblings and reasons in words
    (the worst children are `worst_children`, a callback of their own).

    The parent's totals are the sums of its visible children's measures (the siblings
    read anyway for the ranks), so the panel costs one rollup read plus the children.
    A region with no visible siblings (the root of the map) has no rank (`rank_na`); its
    attention index and reasons come from its own components read against its children
    (`own_attention`), `children` being the map's frame when the caller has it.
    """
    region, metric = view["region"], view["metric"]
    week, period = parse_week(view["week"]), view["period"]
    chain = view.get("ancestors") or []
    parent = chain[-2]["code"] if len(chain) >= 2 else None
    with engine.connect() as conn:
        if siblings is None:
            siblings = (fetch_map_children(conn, scope, region_code=parent, week_key=week, period=period)
                        if parent else pd.DataFrame())
        in_siblings = not siblings.empty and region in set(siblings["code"])
        own = (siblings[siblings["code"] == region].iloc[0].to_dict() if in_siblings else
               fetch_region_totals(conn, scope, region_code=region, week_key=week, period=period) or {})
    par = totals_of_children(siblings) if in_siblings and level_of(region) != "village" else {}
    if in_siblings and parent is not None and level_of(region) == "village":  # siblings imply a parent
        with engine.connect() as conn:
            par = fetch_region_totals(conn, scope, region_code=parent, week_key=week, period=period) or {}
    lang = view["lang"]
    if not in_siblings and children is None and child_level_of(region):
        children = children_frame(engine, scope, view)
    context = Context(week_key=max(period_weeks(period, week)),
                      peers=siblings if in_siblings else children)
    rows = []
    for key in PANEL_KPIS:
        unit = INDICATORS[key].unit
        rank, n = rank_among(siblings, region, key) if in_siblings else (None, 0)
        verdict = judge_row(key, own, context)
        rows.append({"key": key, "value": sentence_value(verdict, lang),
                     "parent": format_value(_num(par.get(key)), unit, lang) if par else "—",
                     "rank": rank, "n": n, "level": verdict.level})
    metric_rank = rank_among(siblings, region, metric) if in_siblings else (None, 0)
    basis: str | None  # what the attention index is read against: "peers", "children", None
    if in_siblings:
        reasons = reason_sentences(own.get("reasons"), lang)
        attention, basis = _num(own.get("attention_index")), "peers"
    else:
        attention, verdicts, own = own_attention(own, children, context)
        reasons = reason_sentences(verdicts, lang)
        basis = "children" if attention is not None else None
    return {"rows": rows, "metric_rank": metric_rank, "reasons": reasons,
            "attention": attention, "attention_basis": basis,
            "rank_na": not in_siblings,
            "parent_name": chain[-2]["name"] if parent else None,
            "sibling_level": view.get("level"), "child_level": child_level_of(region)}


def own_attention(own: dict, children: pd.DataFrame | None, context: Context,
                  n: int = 3) -> tuple[float | None, list, dict]:
    """(attention index, reason verdicts, own row with its components) of a region
    compared with nobody (the map's root).

    The index is comparative (percentiles among peers), so a region alone has none of its
    own; it is given the mean index of its visible children, and its reasons are the
    components contributing most to its children's indices on average that the region's
    own figures are judged watch or problem on (data.judgement, its children as peers).
    """
    row = dict(own or {})
    on_time, disb, disc = (_num(row.get(k)) for k in
                           ("on_time_completion_rate", "disbursement_rate_ytd", "disclosure_on_time_rate"))
    row.setdefault("overdue_rate", None if on_time is None else 1 - on_time)
    row["disbursement_lag"] = None if disb is None else 1 - disb
    row["disclosure_lateness"] = None if disc is None else 1 - disc
    if children is None or children.empty or "attention_index" not in children:
        return None, [], row
    index = pd.to_numeric(children["attention_index"], errors="coerce").dropna()
    if index.empty:
        return None, [], row
    for k in ATTENTION_WEIGHTS:
        row[f"contrib_{k}"] = (float(pd.to_numeric(children[f"contrib_{k}"], errors="coerce").fillna(0).mean())
                               if f"contrib_{k}" in children else 0.0)
    return float(index.mean()), attention_reasons(row, context, n), row


def _num(value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if value != value else value


def worst_children(children: pd.DataFrame, metric: str, view: dict, n: int = 5) -> list[dict]:
    """The n children worst on the metric, each with its value, reasons and a link: only
    children the metric's judgement calls watch or problem (any, for an unjudged metric)."""
    if children.empty or metric not in children:
        return []
    values = pd.to_numeric(children[metric], errors="coerce")
    context = Context(week_key=max(period_weeks(view.get("period", "week"), parse_week(view["week"]))),
                      peers=children)
    judged = judge_frame(children, metric, context)
    frame = children.assign(_v=values, _level=judged["level"]).dropna(subset=["_v"])
    if judgement_of(metric).benchmark != "none":
        frame = frame[frame["_level"].isin(BAD_LEVELS)]
    frame = frame.sort_values(["_v", "code"], ascending=[INDICATORS[metric].higher_is_better, True])
    lang = view.get("lang", "zh-CN")
    drill = child_level_of(view["region"]) != "village"
    out = []
    for _, row in frame.head(n).iterrows():
        out.append({"code": row["code"], "name": row["name"], "level": row["_level"],
                    "value": format_value(row["_v"], INDICATORS[metric].unit, lang),
                    "reasons": reason_sentences(row.get("reasons"), lang, n=2),
                    "href": map_href(view, region=row["code"]) if drill else region_href(row["code"], view),
                    "profile": region_href(row["code"], view)})
    return out


def records_query(view: dict, choice: str | None) -> dict:
    """The records-grid query for the view: which source, region and weeks."""
    metric = view.get("metric", DEFAULT_METRIC)
    if choice not in RECORD_CHOICES:
        source, extra = RECORDS_FOR_METRIC.get(metric, ("complaints", {}))
    elif choice.startswith("complaints_"):
        source, extra = "complaints", {"only": choice.split("_", 1)[1]}
    else:
        source, extra = choice, {}
    weeks = period_weeks(view.get("period", "week"), parse_week(view["week"])) if view.get("week") else []
    return {"source": source, "params": {"region": view.get("region"), "weeks": weeks, **extra},
            "lang": view.get("lang", "zh-CN"),
            "link": {"week": view.get("week"), "period": view.get("period", "week")}}


def record_choice_for(view: dict) -> str:
    source, extra = RECORDS_FOR_METRIC.get(view.get("metric", ""), ("complaints", {}))
    return f"complaints_{extra['only']}" if extra.get("only") else source
