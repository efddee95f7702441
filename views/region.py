"""What the region profile shows (村级画像 / 乡镇画像); no dash.

The view is {region, week, period, lang} + names (views.map.resolve_view); pieces: the
KPI comparison rows, the reasons in words, the children list, the trend figure and the
records query.
"""
from __future__ import annotations

from data.calendar import parse_week
from data.indicators import INDICATORS
from data.judgement import Context, describe_change, judge_row, reason_sentences, sentence_value
from data.periods import period_weeks
from data.queries.region_profile import PROFILE_KPIS, fetch_profile, fetch_region_trend
from figures.region import profile_trend
from figures.theme import with_export_meta
from i18n import t
from i18n.numbers import format_value
from views.map import map_href, region_href


def _num(value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if value != value else value


def profile_data(engine, scope, view: dict) -> dict | None:
    """Rows of the KPI table, reasons, children and the headline of the profile."""
    lang = view.get("lang", "zh-CN")
    with engine.connect() as conn:
        prof = fetch_profile(conn, scope, region_code=view["region"],
                             week_key=parse_week(view["week"]), period=view["period"],
                             with_children=False)
    if prof is None:
        return None
    own_row = prof["own_row"]
    own = own_row or prof["own"]
    context = Context(week_key=max(period_weeks(view["period"], parse_week(view["week"]))),
                      peers=prof["peers"] if not prof["peers"].empty else None)
    rows = []
    for key in PROFILE_KPIS:
        info = INDICATORS[key]
        value = _num(own.get(key))
        prev = _num((prof["previous"] or {}).get(key))
        parent = _num((prof["parent"] or {}).get(key)) if prof["parent"] else None
        verdict = judge_row(key, own, context)
        change = describe_change(key, value, prev, lang, small=verdict.why == "small_sample")
        rank, n = prof["ranks"].get(key, (None, 0))
        rows.append({
            "key": key, "value": sentence_value(verdict, lang), "level": verdict.level,
            "change": change["text"], "direction": change["direction"],
            "parent": format_value(parent, info.unit, lang) if prof["parent"] else None,
            "rank": f"{rank}/{n}" if rank else "—",
            "unavailable": value is None and key == "disbursement_rate_ytd" and view.get("level") == "village",
        })
    reasons = reason_sentences(own_row.get("reasons"), lang) if own_row else []
    rank, n = prof["ranks"].get("attention_index", (None, 0))
    return {"rows": rows, "reasons": reasons,
            "attention": _num(own_row.get("attention_index")) if own_row else None,
            "attention_rank": (rank, n), "has_parent": prof["parent"] is not None,
            "population": _num(prof["own"].get("population"))}


def children_data(engine, scope, view: dict) -> list[dict]:
    """The region's children by attention index (top 10), with reasons and links."""
    from data.queries.map import child_level_of, fetch_map_children
    if not child_level_of(view["region"]):
        return []
    lang = view.get("lang", "zh-CN")
    with engine.connect() as conn:
        kids = fetch_map_children(conn, scope, region_code=view["region"],
                                  week_key=parse_week(view["week"]), period=view["period"])
    if kids.empty:
        return []
    kids = kids.sort_values(["attention_index", "code"], ascending=[False, True]).head(10)
    return [{"code": row["code"], "name": row["name"], "attention": f"{row['attention_index']:.0f}",
             "reasons": reason_sentences(row.get("reasons"), lang, n=2),
             "href": region_href(row["code"], view),
             "map": map_href({**view, "metric": "attention_index"}, region=row["code"])}
            for _, row in kids.iterrows()]


def trend_figure(engine, scope, view: dict):
    lang = view.get("lang", "zh-CN")
    with engine.connect() as conn:
        trend = fetch_region_trend(conn, scope, region_code=view["region"],
                                   week_key=parse_week(view["week"]), weeks=12)
    fig = profile_trend(trend, lang=lang)
    return with_export_meta(fig, title=t("region.trend.title", lang), region=view.get("name") or "",
                            period=view["week"],
                            as_of=view.get("as_of"))


def timeline_figure(engine, scope, view: dict):
    """Complaints, 我要办, clues, warnings, funds paid and village finance on one axis."""
    from data.queries.region_profile import fetch_region_timeline
    from figures.region import profile_timeline
    lang = view.get("lang", "zh-CN")
    with engine.connect() as conn:
        frame = fetch_region_timeline(conn, scope, region_code=view["region"],
                                      week_key=parse_week(view["week"]), weeks=26)
    return with_export_meta(profile_timeline(frame, lang=lang), title=t("region.timeline.title", lang),
                            region=view.get("name") or "", period=view["week"], as_of=view.get("as_of"))


def records_query(view: dict) -> dict:
    weeks = period_weeks(view.get("period", "week"), parse_week(view["week"])) if view.get("week") else []
    return {"source": "complaints", "params": {"region": view.get("region"), "weeks": weeks},
            "lang": view.get("lang", "zh-CN"),
            "link": {"week": view.get("week"), "period": view.get("period", "week")}}


