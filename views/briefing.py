"""The weekly briefing (周报): its numbers, drafted narrative and charts; no dash here.

`build_briefing` reads everything through the query layer (data/queries*.py: fetch_kpis,
fetch_child_metrics, fetch_trend, fetch_regions_at ...) once, so the preview page, the
PPTX/PDF files and `cli.py briefing` show the same figures, and the narrative quotes
only numbers those queries returned (formatted with i18n.numbers, like the KPI tiles).

Topics, in slide order: headline figures, week-on-week changes, year-on-year changes,
units (best and worst by attention index), service quality, fund disbursement,
disclosure, hotspots (new entries in the top ten), complaint spikes, clues.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from data import queries
from data.calendar import format_week, parse_week, previous_week, reported_month, week_bounds, weeks_back
from data.codes import level_of
from data.indicators import INDICATORS
from data.intake.reporting import unit_ranking, village_reports
from data.queries import complaints as qc
from data.queries.clues import deadline_counts
from data.queries.regions import fetch_county_names, with_county_names
from data.rules.library import active_library
from data.rules.spikes import SpikeRule, detect_frame
from figures import briefing as bfig
from figures.overview import trend_strip
from figures.theme import with_export_meta
from i18n import t
from i18n.numbers import change_direction, format_change, format_value
from settings import Settings, load_settings

UNIT_WINDOW = 4          # weeks of the unit comparisons (as the attention map)
HOT_N = 10
YOY_KEYS = ("complaints_received", "on_time_completion_rate", "satisfaction_rate", "new_clues")
END = {"zh-CN": "。", "en": "."}

DEFAULT_RULE = SpikeRule()  # the rule's documented defaults (settings override them)


@dataclass
class Topic:
    """One slide / one section of the preview: a title, sentences and (maybe) a chart."""
    key: str
    title: str
    sentences: list[str]
    chart: str | None = None  # key into Briefing.figures


@dataclass
class Briefing:
    region: str
    region_name: str
    week: str
    week_key: int
    lang: str
    as_of: str
    demo: bool
    kpis: pd.DataFrame
    kpis_yoy: pd.DataFrame
    units: pd.DataFrame
    units_week: pd.DataFrame
    hot: pd.DataFrame
    new_hot: set
    spikes: pd.DataFrame
    rule: SpikeRule
    trend: pd.DataFrame
    trend_yoy: pd.DataFrame
    reporting_month: str = ""  # 'YYYY-MM': the village ledger last due by the week's Sunday
    reporting: pd.DataFrame = field(default_factory=pd.DataFrame)  # data.intake.reporting.unit_ranking
    clue_deadlines: dict = field(default_factory=dict)  # open clues: {"open", "near" 临期, "overdue" 超期}
    topics: list[Topic] = field(default_factory=list)
    figures: dict = field(default_factory=dict)  # chart key -> plotly figure dict

    @property
    def title(self) -> str:
        return t("briefing.doc.title", self.lang, region=self.region_name, week=self.week)

    @property
    def period(self) -> str:
        monday, sunday = week_bounds(self.week_key)
        return t("briefing.doc.period", self.lang, week=self.week, start=monday.isoformat(),
                 end=sunday.isoformat())

    def narrative(self) -> list[tuple[str, str]]:
        """(topic title, paragraph) in order: the drafted text of the briefing."""
        joiner = "" if self.lang != "en" else " "
        return [(topic.title, joiner.join(topic.sentences)) for topic in self.topics]


def yoy_week(week_key: int) -> int:
    """The same ISO week of the year before (W53 -> W52 when last year has no W53)."""
    year, week = divmod(week_key, 100)
    try:
        week_bounds((year - 1) * 100 + week)
        return (year - 1) * 100 + week
    except ValueError:
        return (year - 1) * 100 + 52


def unit_level(region: str) -> str:
    return "township" if level_of(region) in ("county", "township", "village") else "county"


def _kpi(kpis: pd.DataFrame, key: str) -> dict:
    rows = kpis[kpis["key"] == key]
    return rows.iloc[0].to_dict() if len(rows) else {"value": None, "previous": None, "change": None,
                                                     "unit": INDICATORS[key].unit}


def _fmt(kpis: pd.DataFrame, key: str, lang: str) -> str:
    row = _kpi(kpis, key)
    return format_value(row["value"], row["unit"], lang)


def _join(items, lang: str) -> str:
    return t("common.list_sep", lang).join(items)


def _with(name: str, detail: str, lang: str) -> str:
    """'name（detail）' / 'name (detail)'; the name alone without a detail."""
    return t("common.name_with_parent", lang, name=name, parent=detail) if detail else name


def _names(frame: pd.DataFrame, lang: str, column: str | None = None, unit: str = "rate") -> str:
    if column is None:
        return _join(frame["name"], lang)
    return _join((_with(n, format_value(v, unit, lang), lang) for n, v in zip(frame["name"], frame[column])), lang)


def fetch_data(engine, scope, region: str, week_key: int, rule: SpikeRule = DEFAULT_RULE) -> dict:
    """Every frame of the briefing, from the query layer (scope applied in SQL)."""
    prev = previous_week(week_key)
    yoy = yoy_week(week_key)
    with engine.connect() as conn:
        info = queries.fetch_dataset_info(conn)
        region_row = queries.fetch_region(conn, scope, region)
        if region_row is None:
            return {"region": None}
        region = region_row["code"]
        level = unit_level(region)
        kpis = queries.fetch_kpis(conn, scope, region_code=region, week_key=week_key)
        kpis_yoy = queries.fetch_kpis(conn, scope, region_code=region, week_key=yoy)
        units = queries.fetch_child_metrics(conn, scope, region_code=region, week_key=week_key,
                                            child_level=level, window=UNIT_WINDOW)
        units_week = queries.fetch_child_metrics(conn, scope, region_code=region, week_key=week_key,
                                                 child_level=level, window=1)
        if level == "township":
            towns, towns_week = units, units_week
        else:
            towns = queries.fetch_child_metrics(conn, scope, region_code=region, week_key=week_key,
                                                child_level="township", window=UNIT_WINDOW)
            towns_week = queries.fetch_child_metrics(conn, scope, region_code=region, week_key=week_key,
                                                     child_level="township", window=1)
        towns_before = queries.fetch_child_metrics(conn, scope, region_code=region, week_key=prev,
                                                   child_level="township", window=UNIT_WINDOW)
        county_names = fetch_county_names(conn, scope, region_code=region)
        towns_weekly = qc.fetch_township_weekly(conn, scope, region_code=region,
                                                weeks=weeks_back(week_key, rule.baseline_weeks + 1))
        trend = queries.fetch_trend(conn, scope, region_code=region, week_key=week_key, weeks=12)
        trend_yoy = queries.fetch_trend(conn, scope, region_code=region, week_key=yoy, weeks=12)
        month = reported_month(week_bounds(week_key)[1])
        reporting_month = f"{month // 100}-{month % 100:02d}"
        reporting = unit_ranking(conn, village_reports(conn, scope, region, reporting_month))
        clue_deadlines = deadline_counts(conn, scope, active_library(conn), region=region)
    return {"reporting_month": reporting_month, "reporting": reporting, "clue_deadlines": clue_deadlines,
            "region": region_row, "info": info, "kpis": kpis, "kpis_yoy": kpis_yoy, "units": units,
            "units_week": units_week, "towns": towns, "towns_week": towns_week,
            "towns_before": towns_before, "towns_weekly": towns_weekly, "county_names": county_names, "trend": trend,
            "trend_yoy": trend_yoy}


def spike_frame(towns_week: pd.DataFrame, towns_weekly: pd.DataFrame, week_key: int,
                county_names: dict, rule: SpikeRule, lang: str) -> pd.DataFrame:
    """Townships whose complaints rose this week over their own baseline, by the spike rule
    of /complaints (data.rules.spikes: Poisson upper limit of the baseline quartile), so the
    briefing and the page name the same townships. `spike` = the rule fires this week;
    other risers (count above baseline) follow, for the chart."""
    cols = ["code", "name", "label", "received", "baseline", "limit", "rise", "spike"]
    if towns_week.empty or towns_weekly.empty:
        return pd.DataFrame(columns=cols)
    found = detect_frame(towns_weekly, unit="code", weeks=weeks_back(week_key, rule.baseline_weeks + 1),
                         rule=rule)
    found = found[found["week_key"] == week_key].set_index("code")
    frame = towns_week[["code", "name", "received"]].copy()
    frame["baseline"] = frame["code"].map(found["baseline"]).fillna(0.0).astype(float)
    frame["limit"] = frame["code"].map(found["limit"]).fillna(0).astype(int)
    frame["spike"] = frame["code"].map(found["spike"]).fillna(False).astype(bool)
    frame["rise"] = frame["received"] - frame["baseline"]
    frame = with_county_names(frame, county_names)
    frame["label"] = [t("common.name_with_parent", lang, name=n, parent=c) if c else n
                      for n, c in zip(frame["name"], frame["county_name"])]
    frame = frame[frame["rise"] > 0].sort_values(["spike", "rise", "code"], ascending=[False, False, True])
    return frame[cols].reset_index(drop=True)


def build_briefing(engine, scope, region: str, week: str | int, lang: str = "zh-CN",
                   rule: SpikeRule | None = None, *, settings: Settings | None = None) -> Briefing | None:
    """The briefing of a region and ISO week for the user's scope; None when out of scope.
    `rule`: the complaint spike rule; by default that of `settings` — pass the app's
    (runtime.get_settings()) so the briefing flags the townships /complaints flags — and,
    without them, of `load_settings()` (this module reads no environment itself)."""
    week_key = parse_week(week)
    if rule is None:
        rule = SpikeRule.of((settings or load_settings()).spike_rule)
    data = fetch_data(engine, scope, region, week_key, rule)
    if data["region"] is None:
        return None
    region_row, info = data["region"], data["info"]
    towns, towns_before = data["towns"], data["towns_before"]
    names = data["county_names"]
    hot = with_county_names(towns.head(HOT_N), names)
    before_top = set(towns_before.head(HOT_N)["code"]) if not towns_before.empty else set()
    new_hot = set(hot["code"]) - before_top if before_top else set()
    briefing = Briefing(
        region=region_row["code"], region_name=region_row["name"], week=format_week(week_key),
        week_key=week_key, lang=lang, as_of=str(info.get("as_of") or ""), demo=bool(info.get("scale")),
        kpis=data["kpis"], kpis_yoy=data["kpis_yoy"], units=data["units"], units_week=data["units_week"],
        hot=hot, new_hot=new_hot, rule=rule,
        spikes=spike_frame(data["towns_week"], data["towns_weekly"], week_key, names, rule, lang),
        trend=data["trend"], trend_yoy=data["trend_yoy"], reporting_month=data["reporting_month"],
        reporting=data["reporting"], clue_deadlines=data["clue_deadlines"])
    briefing.topics = draft_topics(briefing)
    return briefing


# ---------------------------------------------------------------- narrative

def draft_topics(b: Briefing) -> list[Topic]:
    """The drafted narrative, one topic per slide; every number from b's frames."""
    lang = b.lang
    unit_kind = t(f"briefing.unit.{unit_level(b.region)}", lang)
    return [
        Topic("headline", t("briefing.topic.headline", lang), _headline(b), "kpi_changes"),
        Topic("changes", t("briefing.topic.changes", lang), _changes(b), "trend"),
        Topic("yoy", t("briefing.topic.yoy", lang), _yoy(b), "yoy"),
        Topic("units", t("briefing.topic.units", lang, unit=unit_kind), _units(b, unit_kind), "map"),
        Topic("ranking", t("briefing.topic.ranking", lang, unit=unit_kind), _ranking(b), "attention"),
        Topic("service", t("briefing.topic.service", lang), _service(b), "service"),
        Topic("funds", t("briefing.topic.funds", lang), _funds(b), "funds"),
        Topic("disclosure", t("briefing.topic.disclosure", lang), _disclosure(b), "disclosure"),
        Topic("hotspots", t("briefing.topic.hotspots", lang), _hotspots(b), "hotspots"),
        Topic("spikes", t("briefing.topic.spikes", lang), _spikes(b), "spikes"),
        Topic("clues", t("briefing.topic.clues", lang), _clues(b), "clues"),
    ]


def _headline(b: Briefing) -> list[str]:
    lang, k = b.lang, b.kpis
    monday, sunday = week_bounds(b.week_key)
    return [t("briefing.text.headline", lang, region=b.region_name, week=b.week,
              start=monday.strftime("%m-%d"), end=sunday.strftime("%m-%d"),
              complaints=_fmt(k, "complaints_received", lang),
              on_time=_fmt(k, "on_time_completion_rate", lang),
              satisfaction=_fmt(k, "satisfaction_rate", lang),
              disbursement=_fmt(k, "disbursement_rate_ytd", lang),
              disclosure=_fmt(k, "disclosure_on_time_rate", lang),
              clues=_fmt(k, "new_clues", lang), red=_fmt(k, "open_red_warnings", lang),
              reporting=_fmt(k, "reporting_completeness", lang))]


def _change_phrase(key: str, row: dict, lang: str) -> str:
    direction = change_direction(row["change"], INDICATORS[key].higher_is_better)
    return t("briefing.text.change_item", lang, kpi=t(f"kpi.{key}", lang),
             previous=format_value(row["previous"], row["unit"], lang),
             value=format_value(row["value"], row["unit"], lang),
             change=format_change(row["change"], row["unit"], lang),
             direction=t(f"briefing.direction.{direction}", lang))


def _changes(b: Briefing) -> list[str]:
    lang = b.lang
    items = [_change_phrase(key, _kpi(b.kpis, key), lang) for key in b.kpis["key"]]
    worse = [t(f"kpi.{key}", lang) for key in b.kpis["key"]
             if change_direction(_kpi(b.kpis, key)["change"], INDICATORS[key].higher_is_better) == "worse"]
    out = [t("briefing.text.changes", lang, items=t("common.clause_sep", lang).join(items))]
    out.append(t("briefing.text.worse", lang, items=_join(worse, lang)) if worse
               else t("briefing.text.none_worse", lang))
    return out


def _yoy(b: Briefing) -> list[str]:
    lang = b.lang
    if b.kpis_yoy.empty:
        return [t("briefing.text.no_yoy", lang)]
    items = []
    for key in YOY_KEYS:
        now, then = _kpi(b.kpis, key), _kpi(b.kpis_yoy, key)
        from data.indicators import week_on_week_change
        change = week_on_week_change(now["value"], then["value"], now["unit"])
        direction = change_direction(change, INDICATORS[key].higher_is_better)
        items.append(t("briefing.text.change_item", lang, kpi=t(f"kpi.{key}", lang),
                       previous=format_value(then["value"], now["unit"], lang),
                       value=format_value(now["value"], now["unit"], lang),
                       change=format_change(change, now["unit"], lang),
                       direction=t(f"briefing.direction.{direction}", lang)))
    return [t("briefing.text.yoy", lang, week=format_week(yoy_week(b.week_key)),
              items=t("common.clause_sep", lang).join(items))]


def _units(b: Briefing, unit_kind: str) -> list[str]:
    lang, units = b.lang, b.units
    if units.empty:
        return [t("common.no_data", lang) + END[lang]]
    from i18n.numbers import reason_text
    worst = units.head(3)
    best = units.sort_values(["attention_index", "code"]).head(3)
    top = worst.iloc[0]
    reasons = _join((reason_text(r, top, lang) for r in top["reasons"]), lang) or "—"
    return [t("briefing.text.units", lang, n=len(units), unit=unit_kind, weeks=UNIT_WINDOW,
              best=_names(best, lang, "attention_index", "index"),
              worst=_names(worst, lang, "attention_index", "index"),
              top=top["name"], reasons=reasons)]


def _ranking(b: Briefing) -> list[str]:
    lang, units = b.lang, b.units
    if units.empty:
        return [t("common.no_data", lang) + END[lang]]
    above = int((units["attention_index"] >= 60).sum())
    return [t("briefing.text.ranking", lang, n=above, total=len(units))]


def _extremes(units: pd.DataFrame, column: str, lang: str, key: str) -> str:
    frame = units.dropna(subset=[column])
    if frame.empty:
        return t("briefing.text.no_rate", lang, kpi=t(f"kpi.{column}", lang))
    ordered = frame.sort_values([column, "code"], ascending=[False, True])
    return t(key, lang, kpi=t(f"kpi.{column}", lang), weeks=UNIT_WINDOW,
             best=_names(ordered.head(1), lang, column), worst=_names(ordered.tail(1).iloc[::-1], lang, column),
             low=_names(ordered.tail(3).iloc[::-1], lang, column))


def _service(b: Briefing) -> list[str]:
    lang = b.lang
    return [_extremes(b.units, "on_time_completion_rate", lang, "briefing.text.extremes"),
            _extremes(b.units, "satisfaction_rate", lang, "briefing.text.extremes")]


def _funds(b: Briefing) -> list[str]:
    lang = b.lang
    return [t("briefing.text.funds_total", lang, value=_fmt(b.kpis, "disbursement_rate_ytd", lang)),
            _extremes(b.units, "disbursement_rate_ytd", lang, "briefing.text.lowest")]


def _disclosure(b: Briefing) -> list[str]:
    lang = b.lang
    return [t("briefing.text.disclosure_total", lang, value=_fmt(b.kpis, "disclosure_on_time_rate", lang)),
            _extremes(b.units, "disclosure_on_time_rate", lang, "briefing.text.lowest"), *_reporting(b)]


def _reporting(b: Briefing) -> list[str]:
    """数据报送: the month's village ledger, villages reported of all, the units that lag
    (by completeness, then timeliness, as /data ranks them), villages that sent nothing."""
    lang, ranking = b.lang, b.reporting
    if ranking.empty or not b.reporting_month:
        return []
    villages, reported = int(ranking["villages"].sum()), int(ranking["reported"].sum())
    month = t("briefing.text.month", lang, year=b.reporting_month[:4], month=int(b.reporting_month[5:]))
    out = [t("briefing.text.reporting", lang, month=month, reported=f"{reported:,}", villages=f"{villages:,}",
             rate=format_value(reported / villages if villages else None, "rate", lang),
             missing=f"{villages - reported:,}")]
    lagging = ranking[ranking["completeness"] < 1].tail(3).iloc[::-1]
    if len(lagging):
        items = [t("briefing.text.reporting_unit", lang, name=r.name, rate=format_value(r.completeness, "rate", lang),
                   missing=f"{int(r.villages - r.reported):,}") for r in lagging.itertuples()]
        out.append(t("briefing.text.reporting_lagging", lang, items=_join(items, lang)))
    return out


def _hotspots(b: Briefing) -> list[str]:
    lang, hot = b.lang, b.hot
    if hot.empty:
        return [t("overview.hot.empty", lang)]
    top = _join((_with(n, c, lang) for n, c in zip(hot["name"].head(3), hot["county_name"].head(3))), lang)
    out = [t("briefing.text.hot_top", lang, n=len(hot), top=top)]
    new = hot[hot["code"].isin(b.new_hot)]
    out.append(t("briefing.text.hot_new", lang, n=len(new), names=_names(new, lang, "attention_index", "index"))
               if len(new) else t("briefing.text.hot_same", lang))
    return out


def _spikes(b: Briefing) -> list[str]:
    lang = b.lang
    spikes = b.spikes[b.spikes["spike"]] if not b.spikes.empty else b.spikes
    rule = t("briefing.text.spike_rule", lang, weeks=b.rule.baseline_weeks, alpha=f"{b.rule.alpha:g}",
             min_count=b.rule.min_count)
    if spikes.empty:
        return [t("briefing.text.no_spikes", lang), rule]
    items = _join((t("briefing.text.spike_item", lang, name=row.label,
                     received=format_value(row.received, "count", lang),
                     limit=format_value(row.limit, "count", lang))
                   for row in spikes.head(5).itertuples()), lang)
    return [t("briefing.text.spikes", lang, n=len(spikes), items=items), rule]


def _clues(b: Briefing) -> list[str]:
    lang = b.lang
    count = _kpi(b.kpis, "new_clues")
    units = b.units_week
    due = b.clue_deadlines or {}
    deadlines = [t("briefing.text.clue_deadlines", lang, open=format_value(due.get("open", 0), "count", lang),
                   near=format_value(due.get("near", 0), "count", lang),
                   overdue=format_value(due.get("overdue", 0), "count", lang))] if due.get("open") else []
    if not count["value"]:
        return [t("briefing.text.no_clues", lang), *deadlines]
    amount = float(units["new_clue_amount"].sum()) if not units.empty else None
    top = units[units["new_clues"] > 0].sort_values(["new_clues", "code"], ascending=[False, True]).head(5)
    where = _join((_with(n, format_value(c, 'count', lang), lang) for n, c in zip(top["name"], top["new_clues"])),
                  lang)
    return [t("briefing.text.clues", lang, n=format_value(count["value"], "count", lang),
              amount=format_value(amount, "yuan", lang), where=where or "—"), *deadlines]


# ---------------------------------------------------------------- charts

def briefing_figures(b: Briefing, *, engine=None, scope=None, cache_dir: Path | None = None,
                     version: str = "") -> dict:
    """Chart key -> plotly figure dict (≥ 8 charts), each stamped for export."""
    lang = b.lang
    units_kind = t(f"briefing.unit.{unit_level(b.region)}", lang)
    figs = {
        "kpi_changes": bfig.kpi_changes(b.kpis, lang=lang),
        "trend": trend_strip(b.trend, lang=lang, height=bfig.SLIDE_SIZE[1]),
        "yoy": bfig.year_on_year(b.trend, b.trend_yoy, "complaints_received", "count", lang=lang),
        "attention": bfig.unit_bars(b.units, "attention_index", "index", lang=lang, higher_is_better=False,
                                    label_key="index.attention"),
        "service": bfig.service_quality(b.units, lang=lang),
        "funds": bfig.unit_bars(b.units, "disbursement_rate_ytd", "rate", lang=lang, higher_is_better=True,
                                reference=float(_kpi(b.kpis, "disbursement_rate_ytd")["value"] or 0),
                                reference_label=t("briefing.chart.region_level", lang, region=b.region_name)),
        "disclosure": bfig.unit_bars(b.units, "disclosure_on_time_rate", "rate", lang=lang, higher_is_better=True),
        "hotspots": bfig.hotspots(b.hot, b.new_hot, lang=lang),
        "spikes": bfig.spikes(b.spikes, lang=lang),
        "clues": bfig.clues(b.units_week, lang=lang),
    }
    if engine is not None and cache_dir is not None:  # the map needs the geometry cache
        from views.overview import attention_figure
        resolved = {"region": b.region, "week": b.week, "lang": lang, "region_name": b.region_name,
                    "as_of": b.as_of}
        figs["map"] = attention_figure(engine, scope, resolved, cache_dir=cache_dir, version=version)
        figs["map"].update_layout(height=bfig.SLIDE_SIZE[1])
    out = {}
    for key, fig in figs.items():
        title = t(f"briefing.chart.{key}", lang, unit=units_kind)
        with_export_meta(fig, title=title, region=b.region_name, period=b.week, as_of=b.as_of)
        out[key] = fig.to_plotly_json()
    return out


def chart_titles(lang: str, region: str) -> dict:
    units_kind = t(f"briefing.unit.{unit_level(region)}", lang)
    return {key: t(f"briefing.chart.{key}", lang, unit=units_kind) for key in CHART_KEYS}


CHART_KEYS = ("kpi_changes", "trend", "yoy", "map", "attention", "service", "funds", "disclosure",
              "hotspots", "spikes", "clues")


def as_of_date(b: Briefing) -> dt.date | None:
    try:
        return dt.date.fromisoformat(b.as_of)
    except ValueError:
        return None
