"""What the complaints page shows, assembled from queries, the spike rule and figures; no dash.

One function per section: `trend_view`, `hotspots_view`, `handling_view`, `open_view`,
`units_view`, `services_view`, plus `resolve` (URL state -> region, week, period ...).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from data import queries
from data.calendar import format_week, parse_week, weeks_back
from data.codes import level_of
from data.judgement import BAD_LEVELS, Context, judgements, sentence_value, verdicts
from data.periods import PERIOD_KINDS, TREND_KINDS, period_weeks, same_weeks_last_year
from data.queries import complaints as qc
from data.rules.spikes import LOOKBACK_WEEKS, SpikeRule, detect_frame, history
from figures.complaints import (
    age_figure,
    funnel_figure,
    ratings_figure,
    services_figure,
    trend_figure,
    unit_spike_trace,
)
from figures.theme import with_export_meta
from i18n import t
from views.overview import picker_options, resolve_defaults

DEFAULT_PERIOD = "4w"
DEFAULT_SPAN = "52w"
DEFAULT_BY = "category"
BY_KINDS = qc.BREAKDOWNS
HOT_WEEKS = LOOKBACK_WEEKS  # hotspots: spikes in the 4 weeks ending with the selected week
MAX_HOTSPOTS = 15
LEAGUE_ROWS = 25
LABEL_NS = {"category": "complaint_category", "channel": "channel", "department": "complaints.department"}


def _pick(value, allowed, default):
    return value if value in allowed else default


def resolve(engine, scope, state: dict) -> dict:
    """The overview's region/week resolution plus this page's period, span and breakdown."""
    resolved = resolve_defaults(engine, scope, state)
    return {**resolved, "lang": state.get("lang") or "zh-CN",
            "period": _pick(state.get("period"), PERIOD_KINDS, DEFAULT_PERIOD),
            "span": _pick(state.get("span"), TREND_KINDS, DEFAULT_SPAN),
            "by": _pick(state.get("by"), BY_KINDS, DEFAULT_BY)}


def region_options(engine, scope, root: str | None, region: str | None, lang: str) -> list[dict]:
    """The overview's picker (root, cities, counties) plus the townships of the current county."""
    options = picker_options(engine, scope, root, lang)["regions"]
    if not region or level_of(region) not in ("county", "township"):
        return options
    county = region[:6] + "000000"
    with engine.connect() as conn:
        towns = queries.fetch_regions_at(conn, scope, region_code=county, level="township")
    out = []
    for option in options:
        out.append(option)
        if option["value"] == county:
            indent = option["label"][: len(option["label"]) - len(option["label"].lstrip("\u3000"))]
            out += [{"label": f"{indent}\u3000{name}", "value": code}
                    for code, name in zip(towns["code"], towns["name"])]
    return out


def week_options(engine, lang: str) -> list[dict]:
    from views.overview import week_option
    with engine.connect() as conn:
        return [week_option(w, lang) for w in queries.fetch_weeks(conn)]


def stamp(resolved: dict, title_key: str, period: str | None = None) -> dict:
    lang = resolved.get("lang", "zh-CN")
    return {"title": t(title_key, lang), "region": resolved.get("region_name") or "",
            "period": period or resolved.get("week") or "", "as_of": resolved.get("as_of")}


def period_label(resolved: dict) -> str:
    """'2026-W43 – 2026-W46' (or one week) of the resolved period."""
    weeks = period_weeks(resolved["period"], parse_week(resolved["week"]))
    first, last = format_week(weeks[0]), format_week(weeks[-1])
    return first if first == last else f"{first} – {last}"


# --- trends and spikes ------------------------------------------------------------------------

def labels_for(conn, scope, by: str, keys, lang: str) -> dict:
    """Display names of breakdown keys (regions by name, categories/channels translated)."""
    labels = {"__other__": t("complaints.trend.other", lang), "__total__": t("complaints.trend.this_year", lang)}
    if by == "region":
        labels.update(qc.region_names(conn, scope, [k for k in keys if k not in labels]))
    else:
        labels.update({k: t(f"{LABEL_NS[by]}.{k}", lang) for k in keys if k not in labels})
    return labels


def trend_view(engine, scope, resolved: dict, rule: SpikeRule):
    """The trend figure (with last year and spike markers) and the breakdown actually used.
    The listed hotspots whose line is not drawn are marked by the page (unit_spike_marks)."""
    lang, region = resolved["lang"], resolved.get("region")
    if not region:
        return trend_figure(pd.DataFrame(), pd.DataFrame(), None, labels={}, lang=lang), resolved["by"]
    week = parse_week(resolved["week"])
    shown = period_weeks(resolved["span"], week)
    span = weeks_back(week, len(shown) + rule.baseline_weeks)  # with the first baseline
    by = drawn_breakdown(resolved)
    with engine.connect() as conn:
        weekly = qc.fetch_weekly(conn, scope, region_code=region, weeks=span, by=by)
        now = qc.fetch_totals(conn, scope, region_code=region, weeks=span)
        before = qc.fetch_totals(conn, scope, region_code=region, weeks=same_weeks_last_year(shown))
        labels = labels_for(conn, scope, by, weekly["key"].unique().tolist(), lang)
    totals = pd.DataFrame({"week_key": shown,
                           "received": now.set_index("week_key")["received"].reindex(shown).fillna(0).to_numpy(),
                           "last_year": before["received"].to_numpy() if len(before) else 0.0})
    series = pd.concat([weekly, now.assign(key="__total__")[["week_key", "key", "received"]]])
    found = detect_frame(series, unit="key", weeks=span, rule=rule)
    spikes = found[found["spike"] & found["week_key"].isin(shown)]
    fig = trend_figure(weekly[weekly["week_key"].isin(shown)], totals, spikes, labels=labels, lang=lang)
    period = f"{format_week(shown[0])} – {format_week(shown[-1])}"
    return with_export_meta(fig, **stamp(resolved, "complaints.trend.title", period)), by


def drawn_breakdown(resolved: dict) -> str:
    """The breakdown the trend draws: the chosen one, or by category under a region
    without child units."""
    by, region = resolved["by"], resolved.get("region")
    return "category" if by == "region" and region and qc.child_level(region) is None else by


def unit_spike_marks(hotspots: pd.DataFrame, resolved: dict) -> dict | None:
    """The trend's marks of the listed hotspots (figures.complaints.unit_spike_trace,
    placed on the total line by the page), or None when there are none to mark."""
    region = resolved.get("region")
    if not region:
        return None
    units = unit_spikes(hotspots, drawn_breakdown(resolved), qc.child_level(region), resolved["lang"])
    return unit_spike_trace(units, resolved["lang"]) if len(units) else None


def unit_spikes(hotspots: pd.DataFrame, drawn: str, child_level: str | None, lang: str) -> pd.DataFrame:
    """The listed hotspots (hotspots_view) whose own line the trend does not draw (the
    breakdown shows something else), by week: week_key, names (joined) — so every hotspot
    the page lists is also marked on the chart."""
    if hotspots is None or hotspots.empty:
        return pd.DataFrame(columns=["week_key", "names"])
    towns_drawn = drawn == "region" and child_level == "township"
    keep = hotspots[((hotspots["kind"] == "township") & (not towns_drawn))
                    | ((hotspots["kind"] == "category") & (drawn != "category"))]
    rows = [(int(w), name) for name, weeks in zip(keep["name"], keep["weeks"]) for w in weeks]
    if not rows:
        return pd.DataFrame(columns=["week_key", "names"])
    sep = t("common.list_sep", lang)
    both = pd.DataFrame(rows, columns=["week_key", "name"])
    return (both.groupby("week_key")["name"].agg(lambda n: sep.join(sorted(set(map(str, n)))))
            .rename("names").reset_index())


def hotspots_view(engine, scope, resolved: dict, rule: SpikeRule) -> pd.DataFrame:
    """Spikes in the HOT_WEEKS weeks ending with the selected week, newest and largest first.

    Townships under the region (each against its own baseline) and the region's
    categories, one row per unit (its latest spike week). Columns kind (township |
    category), key, name, parent, week_key, count, baseline, limit, ratio, weeks (every
    spike week of the unit in the window).
    """
    cols = ["kind", "key", "name", "parent", "week_key", "count", "baseline", "limit", "ratio"]
    region = resolved.get("region")
    if not region:
        return pd.DataFrame(columns=cols)
    week = parse_week(resolved["week"])
    span = history(week, rule)
    recent = set(span[-HOT_WEEKS:])
    lang = resolved["lang"]
    parts = []
    with engine.connect() as conn:
        found = qc.township_spikes(conn, scope, region_code=region, week_key=week, rule=rule)
        hits = found[found["spike"] & found["week_key"].isin(recent)]
        if len(hits):
            codes = hits["code"].unique().tolist()
            names = qc.region_names(conn, scope, codes + [c[:6] + "000000" for c in codes])
            parts.append(pd.DataFrame({
                "kind": "township", "key": hits["code"], "name": hits["code"].map(names),
                "parent": hits["code"].map(lambda c: names.get(c[:6] + "000000", "")),
                "week_key": hits["week_key"], "count": hits["count"], "baseline": hits["baseline"],
                "limit": hits["limit"]}))
        cats = qc.fetch_weekly(conn, scope, region_code=region, weeks=span, by="category")
    found = detect_frame(cats, unit="key", weeks=span, rule=rule)
    hits = found[found["spike"] & found["week_key"].isin(recent)]
    if len(hits):
        parts.append(pd.DataFrame({
            "kind": "category", "key": hits["key"],
            "name": hits["key"].map(lambda k: t(f"complaint_category.{k}", lang)),
            "parent": resolved.get("region_name") or "", "week_key": hits["week_key"],
            "count": hits["count"], "baseline": hits["baseline"], "limit": hits["limit"]}))
    if not parts:
        return pd.DataFrame(columns=[*cols, "weeks"])
    out = pd.concat(parts, ignore_index=True)
    out["ratio"] = out["count"] / out["baseline"].clip(lower=rule.min_baseline)
    out = out.sort_values(["week_key", "ratio"], ascending=[False, False], ignore_index=True)
    weeks = out.groupby(["kind", "key"])["week_key"].agg(lambda w: sorted(int(x) for x in w))
    out = out.drop_duplicates(["kind", "key"]).head(MAX_HOTSPOTS).reset_index(drop=True)
    out["weeks"] = [weeks[(k, key)] for k, key in zip(out["kind"], out["key"])]
    return out[[*cols, "weeks"]]


# --- handling ---------------------------------------------------------------------------------

def handling_view(engine, scope, resolved: dict) -> dict:
    """Summary (funnel, rates, handling days), open ages, and the figures of the section."""
    lang, region = resolved["lang"], resolved.get("region")
    as_of = _as_of(resolved)
    if not region:
        summary = qc.handling_summary(pd.DataFrame())
        ages = pd.DataFrame(columns=["band", "open", "overdue"])
    else:
        weeks = period_weeks(resolved["period"], parse_week(resolved["week"]))
        with engine.connect() as conn:
            summary = qc.handling_summary(qc.fetch_totals(conn, scope, region_code=region, weeks=weeks))
            ages = qc.fetch_open_ages(conn, scope, region_code=region, as_of=as_of)
    period = period_label(resolved) if region else ""
    funnel = with_export_meta(funnel_figure(summary["funnel"], lang=lang),
                              **stamp(resolved, "complaints.funnel.title", period))
    age = with_export_meta(age_figure(ages, lang=lang),
                           **stamp(resolved, "complaints.age.title", str(as_of)))
    return {"summary": summary, "ages": ages, "open": int(ages["open"].sum()) if len(ages) else 0,
            "open_overdue": int(ages["overdue"].sum()) if len(ages) else 0,
            "funnel": funnel, "age": age}


def _as_of(resolved: dict) -> dt.date:
    try:
        return dt.date.fromisoformat(resolved.get("as_of") or "")
    except ValueError:
        return dt.date.today()


def open_view(engine, scope, resolved: dict, limit: int = 50) -> tuple[pd.DataFrame, int]:
    """The `limit` oldest open complaints (age in days at as-of) and the total open."""
    region = resolved.get("region")
    if not region:
        return pd.DataFrame(columns=[*qc.OPEN_COLUMNS, "village_name", "age_days"]), 0
    with engine.connect() as conn:
        rows, total = qc.fetch_open_complaints(conn, scope, region_code=region, limit=limit)
    as_of = _as_of(resolved)
    rows["age_days"] = [(as_of - pd.Timestamp(r).date()).days for r in rows["received_at"]]
    return rows, total


# --- units ------------------------------------------------------------------------------------

LEAGUE_JUDGED = {"reply_rate": "reply_below", "satisfaction_rate": "satisfaction_below",
                 "repeat_complaint_rate": "repeat_above", "on_time_completion_rate": None}


def league(frame: pd.DataFrame, floors: tuple[float, float, float], lang: str = "zh-CN") -> pd.DataFrame:
    """Units with flags where the judgement (data.judgement, with these floors: reply ≥,
    satisfaction ≥, repeat ≤) calls a rate watch or problem — never on too few cases —,
    each rate's `<key>_level` and `<key>_text` (the value, or its counts when too few),
    and a `misses` count; sorted by misses, then satisfaction (worst first)."""
    out = frame.copy()
    context = Context(table=judgements(floors=tuple(floors)))
    for key, flag in LEAGUE_JUDGED.items():
        found = verdicts(out, key, context) if len(out) else []
        level = pd.Series([v.level for v in found], dtype=object)
        out[f"{key}_level"] = level.to_numpy()
        out[f"{key}_text"] = [sentence_value(v, lang) for v in found]
        if flag:
            out[flag] = level.isin(BAD_LEVELS).to_numpy()
    out["misses"] = out[[f for f in LEAGUE_JUDGED.values() if f]].sum(axis=1).astype(int)
    sat = pd.to_numeric(out["satisfaction_rate"], errors="coerce").fillna(2.0)
    out = out.assign(_sat=sat).sort_values(["misses", "_sat", "received"], ascending=[False, True, False])
    return out.drop(columns="_sat").reset_index(drop=True)


def unit_level(region: str) -> str:
    """Townships are the units of a city, county or township; a province lists its counties."""
    return "county" if level_of(region) == "province" else "township"


def units_view(engine, scope, resolved: dict, floors) -> dict:
    """Township (county, for a province) and department league tables over the period."""
    region = resolved.get("region")
    if not region:
        empty = league(qc._with_unit_rates(pd.DataFrame(columns=["code", *qc.UNIT_MEASURES])), floors,
                       resolved.get("lang", "zh-CN"))
        return {"townships": empty, "departments": empty, "n_townships": 0, "n_below": 0, "level": "township"}
    weeks = period_weeks(resolved["period"], parse_week(resolved["week"]))
    level = unit_level(region)
    fetch = qc.fetch_county_units if level == "county" else qc.fetch_township_units
    with engine.connect() as conn:
        lang = resolved.get("lang", "zh-CN")
        towns = league(fetch(conn, scope, region_code=region, weeks=weeks), floors, lang)
        depts = league(qc.fetch_department_units(conn, scope, region_code=region, weeks=weeks), floors, lang)
    return {"townships": towns.head(LEAGUE_ROWS), "departments": depts, "n_townships": len(towns),
            "n_below": int((towns["misses"] > 0).sum()), "level": level}


# --- 我要办 ------------------------------------------------------------------------------------

def services_view(engine, scope, resolved: dict, limit: int = 50) -> dict:
    """Volume by matter, on-time rate, ratings, and the overdue open requests."""
    lang, region = resolved["lang"], resolved.get("region")
    as_of = _as_of(resolved)
    if not region:
        frame = qc.fetch_services(None, scope, region_code="", weeks=[])
        overdue, total = pd.DataFrame(columns=[*qc.SERVICE_COLUMNS, "village_name"]), 0
    else:
        weeks = period_weeks(resolved["period"], parse_week(resolved["week"]))
        with engine.connect() as conn:
            frame = qc.fetch_services(conn, scope, region_code=region, weeks=weeks)
            overdue, total = qc.fetch_overdue_services(conn, scope, region_code=region, as_of=as_of,
                                                       limit=limit)
    summary = qc.service_summary(frame)
    overdue["days_overdue"] = [(as_of - d).days for d in overdue["due_date"]]
    period = period_label(resolved) if region else ""
    return {"frame": frame, "summary": summary, "overdue": overdue, "overdue_total": total,
            "figure": with_export_meta(services_figure(frame, lang=lang),
                                       **stamp(resolved, "complaints.services.title", period)),
            "ratings": with_export_meta(ratings_figure(summary, lang=lang),
                                        **stamp(resolved, "complaints.services.ratings", period))}
