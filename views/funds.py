"""What the fund-flows page shows, assembled from queries and figures; no dash here.

One function per piece of the page (Sankey, progress, overdue, village finance,
outliers, disclosure, projects); each takes an open connection, the user's scope and
the resolved state {region, region_name, week, source, category, lang, as_of, ...}
and returns figures (with export stamps) and plain rows for the tables.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from data.calendar import format_week, parse_week, week_bounds
from data.codes import level_of
from data.judgement import GOOD, assess, judgements, year_share
from data.periods import period_weeks
from data.queries import funds as qf
from data.rollups.funds import AGE_BUCKETS
from figures import funds as ff
from figures.theme import with_export_meta
from i18n import has_key, t

TOP_UNITS = 12  # Sankey: units beyond the largest 12 are grouped as "other"
STATUSES = ("red", "yellow", "blue", "ok")
PERIODS = ("ytd", "quarter", "4w")  # windows of village finance, disclosure and records


def window_weeks(resolved: dict) -> list[int]:
    """ISO weeks of the resolved period (year to date by default) ending with its week."""
    period = resolved.get("period")
    kind = period if isinstance(period, str) and period in PERIODS else "ytd"
    return period_weeks(kind, parse_week(resolved["week"]))


def window_months(resolved: dict) -> list[int]:
    """Month keys touched by the period's days, oldest first."""
    first, last = week_bounds(window_weeks(resolved)[0])[0], week_bounds(window_weeks(resolved)[-1])[1]
    kind = resolved.get("period") or "ytd"  # a year's or quarter's first ISO week may start before it
    if kind == "ytd":
        first = max(first, dt.date(last.year, 1, 1))
    elif kind == "quarter":
        first = max(first, dt.date(last.year, 3 * ((last.month - 1) // 3) + 1, 1))
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day.year * 100 + day.month)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def label(prefix: str, key, lang: str) -> str:
    """Translated label of a code value: `funds.<prefix>.<key>`, else the shared
    `<prefix>.<key>`, else the key itself."""
    for full in (f"funds.{prefix}.{key}", f"{prefix}.{key}"):
        if has_key(full):
            return t(full, lang)
    return str(key)


def stamp(resolved: dict, title_key: str, windowed: bool = False) -> dict:
    """Export stamp: title, region, period and as-of. Charts of sections 1-2 are year to
    date; `windowed` charts (3, 4) cover the chosen period."""
    lang = resolved.get("lang", "zh-CN")
    kind = resolved.get("period") if windowed and resolved.get("period") in PERIODS else "ytd"
    return {"title": t(title_key, lang), "region": resolved.get("region_name") or "",
            "period": t(f"funds.period.{kind}", lang, week=resolved.get("week") or ""),
            "as_of": resolved.get("as_of")}


def lag_status(rate, share: float, points: tuple[float, float, float]) -> str | None:
    """红/黄/蓝 status of a unit: the disbursement judgement's band (data.judgement) with
    these points behind the year share: 'red', 'yellow', 'blue', or 'ok' when not behind
    by `points[2]`; None when nothing was allocated (no rate)."""
    j = judgements(lag_points=tuple(points))["disbursement_rate_ytd"]
    band = assess(j, [rate], [1], share)["band"].iloc[0]
    return None if band is None else ("ok" if band == GOOD else band)


# --- 1. Sankey --------------------------------------------------------------------------

def sankey_frames(alloc: pd.DataFrame, programs: pd.DataFrame, names: dict, *, by_program: bool,
                  lang: str, top: int = TOP_UNITS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes (label, kind, key, value_wan) and links (source, target, value_wan) of
    source level -> programme category -> unit (or programme when `by_program`).

    Units beyond the `top` largest are one "other" node. Flows conserve: a category node
    receives from the sources exactly what it sends to the units (same rows summed)."""
    if alloc.empty:
        return pd.DataFrame(columns=["label", "kind", "key", "value_wan"]), pd.DataFrame()
    cat_of = dict(zip(programs["id"], programs["category"]))
    data = alloc.assign(category=alloc["program_id"].map(cat_of).fillna("other"),
                        wan=alloc["amount"].astype(float) / ff.WAN)
    if by_program:
        # the catalog's label of the programme code (funds.program.*), else its stored name
        name_of = {i: (label("program", code, lang) if has_key(f"funds.program.{code}") else name)
                   for i, code, name in zip(programs["id"], programs["code"], programs["name"])}
        data["target"] = "program:" + data["program_id"].astype(str)
        target_label = {f"program:{i}": name_of.get(i, str(i)) for i in programs["id"]}
    else:
        totals = data.groupby("unit")["wan"].sum().sort_values(ascending=False)
        keep = set(totals.index[:top])
        data["target"] = ["region:" + u if u in keep else "other:" for u in data["unit"]]
        other_n = len(totals) - len(keep)
        target_label = {"region:" + u: names.get(u, u) for u in keep}
        target_label["other:"] = t("funds.sankey.other", lang, n=other_n)
    nodes: list[tuple[str, str, object]] = []  # (label, kind, key)
    index: dict[tuple[str, object], int] = {}  # (kind, key) -> position in nodes

    def node(kind, key, text):
        index[(kind, key)] = len(nodes)
        nodes.append((text, kind, key))

    for level in [s for s in qf.SOURCE_LEVELS if s in set(data["source_level"])]:
        node("source", level, label("source_level", level, lang))
    for cat in data.groupby("category")["wan"].sum().sort_values(ascending=False).index:
        node("category", cat, label("program_category", cat, lang))
    for target in data.groupby("target")["wan"].sum().sort_values(ascending=False).index:
        kind, key = target.split(":", 1)
        node("unit" if kind == "region" else kind, key, target_label[target])
    first = data.groupby(["source_level", "category"])["wan"].sum().reset_index()
    second = data.groupby(["category", "target"])["wan"].sum().reset_index()
    links = [(index[("source", r.source_level)], index[("category", r.category)], r.wan)
             for r in first.itertuples()]
    for r in second.itertuples():
        kind, key = r.target.split(":", 1)
        links.append((index[("category", r.category)],
                      index[("unit" if kind == "region" else kind, key)], r.wan))
    node_frame = pd.DataFrame(nodes, columns=["label", "kind", "key"])
    link_frame = pd.DataFrame(links, columns=["source", "target", "value_wan"])
    node_frame["value_wan"] = [max(link_frame.loc[link_frame["source"] == i, "value_wan"].sum(),
                                   link_frame.loc[link_frame["target"] == i, "value_wan"].sum())
                               for i in range(len(node_frame))]
    return node_frame, link_frame


def sankey_view(conn, scope, resolved: dict):
    """(figure, total allocated in yuan) of the Sankey for the resolved state."""
    lang, region, week = resolved["lang"], resolved["region"], parse_week(resolved["week"])
    alloc = qf.fetch_allocations(conn, scope, region_code=region, week_key=week,
                                 source=resolved.get("source"), category=resolved.get("category"))
    programs = qf.fetch_programs(conn)
    names = unit_names(conn, scope, region)
    nodes, links = sankey_frames(alloc, programs, names, lang=lang,
                                 by_program=level_of(region) in ("township", "village"))
    fig = ff.sankey_figure(nodes, links, value_label=t("funds.unit.wan", lang),
                           empty_text=t("funds.empty", lang))
    return with_export_meta(fig, **stamp(resolved, "funds.sankey.title")), float(alloc["amount"].sum())


def unit_names(conn, scope, region: str) -> dict:
    """code -> name of the units (counties or townships) under the region."""
    from data.queries.regions import fetch_regions_at
    units = fetch_regions_at(conn, scope, region_code=region, level=qf.unit_level(region))
    return dict(zip(units["code"], units["name"]))


# --- 2. Disbursement progress and overdue payments ---------------------------------------

def progress_view(conn, scope, resolved: dict, points) -> tuple:
    """(figure, per-unit frame with status, year share) of disbursement progress."""
    lang, week = resolved["lang"], parse_week(resolved["week"])
    frame = qf.fetch_progress(conn, scope, region_code=resolved["region"], week_key=week,
                              source=resolved.get("source"), category=resolved.get("category"))
    share = year_share(week)  # 时序进度 (data.judgement)
    frame["status"] = [lag_status(r, share, points) for r in frame["rate"]]
    frame["status_label"] = [t(f"funds.status.{s or 'none'}", lang) for s in frame["status"]]
    labels = {"rate": t("funds.progress.rate", lang), "allocated": t("funds.progress.allocated", lang),
              "paid": t("funds.progress.paid", lang),
              "year_share": t("funds.progress.year_share", lang, share=f"{share * 100:.1f}%")}
    fig = ff.progress_figure(frame, year_share=share, labels=labels, empty_text=t("funds.empty", lang))
    return with_export_meta(fig, **stamp(resolved, "funds.progress.title")), frame, share


def overdue_view(conn, scope, resolved: dict) -> tuple:
    """(figure, totals by age bucket) of payments outstanding at the week's end."""
    lang = resolved["lang"]
    frame = qf.fetch_overdue(conn, scope, region_code=resolved["region"],
                             week_key=parse_week(resolved["week"]), category=resolved.get("category"),
                             source=resolved.get("source"))
    names = unit_names(conn, scope, resolved["region"])
    frame["name"] = [names.get(u, u) for u in frame["unit"]]
    buckets = [(b, t(f"funds.age.{b}", lang)) for b in AGE_BUCKETS]
    fig = ff.overdue_figure(frame, buckets=buckets, value_label=t("funds.unit.wan", lang),
                            empty_text=t("funds.overdue.none", lang))
    totals = (frame.groupby("age_bucket")[["payments", "amount"]].sum()
              .reindex(list(AGE_BUCKETS)).fillna(0).reset_index())
    return with_export_meta(fig, **stamp(resolved, "funds.overdue.title")), totals


# --- 3. Village finance ---------------------------------------------------------------------

def ytd_months(week_key: int) -> list[int]:
    """Month keys from January of the week's year to the month of its Sunday."""
    sunday = week_bounds(week_key)[1]
    return [sunday.year * 100 + m for m in range(1, sunday.month + 1)]


def ledger_view(conn, scope, resolved: dict):
    lang = resolved["lang"]
    frame = qf.fetch_ledger_months(conn, scope, region_code=resolved["region"],
                                   months=window_months(resolved))
    cats = {c: label("ledger_category", c, lang) for c in frame["category"].unique()}
    fig = ff.ledger_figure(frame, category_labels=cats, value_label=t("funds.unit.wan", lang),
                           month_label=lambda m: t("funds.month", lang, year=m // 100, month=m % 100),
                           empty_text=t("funds.empty", lang))
    return with_export_meta(fig, **stamp(resolved, "funds.ledger.title", windowed=True))


def outliers_view(conn, scope, resolved: dict) -> pd.DataFrame:
    """Outlier villages of the week's year under the region, with translated categories."""
    year = week_bounds(parse_week(resolved["week"]))[1].year
    frame = qf.fetch_outliers(conn, scope, region_code=resolved["region"], year=year)
    frame["category_label"] = [label("ledger_category", c, resolved["lang"]) for c in frame["category"]]
    return frame


# --- 4. Disclosure ------------------------------------------------------------------------

def disclosure_view(conn, scope, resolved: dict) -> tuple:
    """(units figure, kinds figure) for items due in the period."""
    lang = resolved["lang"]
    weeks = window_weeks(resolved)
    units, kinds = qf.fetch_disclosure(conn, scope, region_code=resolved["region"], weeks=weeks)
    labels = {k: t(f"funds.disclosure.{k}", lang) for k in ("rate", "due", "on_time", "late", "unpublished")}
    fig_units = ff.disclosure_units_figure(units, labels=labels, empty_text=t("funds.empty", lang))
    kind_labels = {k: label("disclosure_kind", k, lang) for k in kinds["kind"]}
    fig_kinds = ff.disclosure_kinds_figure(kinds, kind_labels=kind_labels, labels=labels,
                                           empty_text=t("funds.empty", lang))
    return (with_export_meta(fig_units, **stamp(resolved, "funds.disclosure.title", windowed=True)),
            with_export_meta(fig_kinds, **stamp(resolved, "funds.disclosure.kinds_title", windowed=True)))


def late_villages_view(conn, scope, resolved: dict) -> pd.DataFrame:
    """Villages with items due in the period and not published on time."""
    weeks = window_weeks(resolved)
    late = qf.fetch_late_villages(conn, scope, region_code=resolved["region"], weeks=weeks)
    late["last_due"] = [format_week(int(w)) for w in late["last_due_week"]]
    return late


# --- 5. Livelihood projects ----------------------------------------------------------------

def projects_view(conn, scope, resolved: dict) -> tuple:
    """(figure of budget/spent by category, delayed projects) as of the data's date."""
    lang = resolved["lang"]
    as_of = dt.date.fromisoformat(resolved["as_of"]) if resolved.get("as_of") else dt.date.today()
    frame = qf.fetch_projects(conn, scope, region_code=resolved["region"], as_of=as_of)
    delayed = qf.fetch_delayed_projects(conn, scope, region_code=resolved["region"], as_of=as_of)
    delayed = delayed.sort_values(["days_overdue", "id"], ascending=[False, True]).reset_index(drop=True)
    cats = {c: label("project_category", c, lang) for c in frame["category"].unique()}
    labels = {"budget": t("funds.projects.budget", lang), "spent": t("funds.projects.spent", lang),
              "value": t("funds.unit.wan", lang), "delayed_n": t("funds.projects.delayed_n", lang)}
    fig = ff.projects_figure(frame, category_labels=cats, labels=labels, empty_text=t("funds.empty", lang))
    delayed["category_label"] = [label("project_category", c, lang) for c in delayed["category"]]
    return with_export_meta(fig, **stamp(resolved, "funds.projects.title")), frame, delayed
