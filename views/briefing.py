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

import numpy as np
import pandas as pd

from data import queries
from data.calendar import format_week, parse_week, previous_week, reported_month, week_bounds
from data.codes import level_of
from data.indicators import INDICATORS
from data.intake.reporting import unit_ranking, village_reports
from data.judgement import (
    BAD_LEVELS,
    PROBLEM,
    Context,
    assess,
    colours_for,
    describe_change,
    for_settings,
    judge,
    judge_frame,
    judgement_of,
    judgements,
    problem_line,
    reason_sentences,
    sentence,
    verdicts,
)
from data.queries import complaints as qc
from data.queries.clues import deadline_counts
from data.queries.regions import fetch_county_names, with_county_names
from data.rules.library import active_library
from data.rules.spikes import SpikeRule
from figures import briefing as bfig
from figures.overview import trend_strip_dict
from figures.theme import figure_dict, with_export_meta
from i18n import t
from i18n.numbers import format_value
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
    judgements: dict = field(default_factory=dict)   # data.judgement table (the settings' floors)
    context: Context = field(default_factory=Context)  # what units are judged against
    figures: dict = field(default_factory=dict)  # chart key -> plotly figure dict
    drawn: dict = field(default_factory=dict, repr=False)  # charts the narrative read (built once)

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
    """The KPI's row as a dict (column arrays read directly: the narrative asks ~35 times)."""
    hit = np.flatnonzero(kpis["key"].to_numpy() == key) if len(kpis) else np.array([], dtype=int)
    if not len(hit):
        return {"value": None, "previous": None, "change": None, "unit": INDICATORS[key].unit}
    return {column: kpis[column].to_numpy()[hit[0]] for column in kpis.columns}


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

        def lean(week: int, child_level: str, window: int) -> pd.DataFrame:
            """The other unit frames: read for their counts and attention index only."""
            return queries.fetch_child_metrics(conn, scope, region_code=region, week_key=week, child_level=child_level,
                                               window=window, measures=queries.ATTENTION_MEASURES, reasons=False)
        units_week = lean(week_key, level, 1)
        if level == "township":
            towns, towns_week = units, units_week
        else:
            towns, towns_week = lean(week_key, "township", UNIT_WINDOW), lean(week_key, "township", 1)
        towns_before = lean(prev, "township", UNIT_WINDOW)
        county_names = fetch_county_names(conn, scope, region_code=region)
        towns_spikes = qc.township_spikes(conn, scope, region_code=region, week_key=week_key, rule=rule)
        trend = queries.fetch_trend(conn, scope, region_code=region, week_key=week_key, weeks=12)
        trend_yoy = queries.fetch_trend(conn, scope, region_code=region, week_key=yoy, weeks=12)
        month = reported_month(week_bounds(week_key)[1])
        reporting_month = f"{month // 100}-{month % 100:02d}"
        reporting = unit_ranking(conn, village_reports(conn, scope, region, reporting_month))
        clue_deadlines = deadline_counts(conn, scope, active_library(conn), region=region)
    return {"reporting_month": reporting_month, "reporting": reporting, "clue_deadlines": clue_deadlines,
            "region": region_row, "info": info, "kpis": kpis, "kpis_yoy": kpis_yoy, "units": units,
            "units_week": units_week, "towns": towns, "towns_week": towns_week,
            "towns_before": towns_before, "towns_spikes": towns_spikes, "county_names": county_names, "trend": trend,
            "trend_yoy": trend_yoy}


def spike_frame(towns_week: pd.DataFrame, found: pd.DataFrame, week_key: int,
                county_names: dict, lang: str) -> pd.DataFrame:
    """Townships whose complaints rose this week over their own baseline, by the spike rule
    of /complaints on the same weeks (data.queries.complaints.township_spikes), so the
    briefing and the page name the same townships with the same limits. `spike` = the
    rule fires this week; other risers (count above baseline) follow, for the chart."""
    cols = ["code", "name", "label", "received", "baseline", "limit", "rise", "spike"]
    if towns_week.empty or found.empty:
        return pd.DataFrame(columns=cols)
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
        spikes=spike_frame(data["towns_week"], data["towns_spikes"], week_key, names, lang),
        trend=data["trend"], trend_yoy=data["trend_yoy"], reporting_month=data["reporting_month"],
        reporting=data["reporting"], clue_deadlines=data["clue_deadlines"])
    briefing.judgements = for_settings(settings) if settings is not None else judgements()
    briefing.context = Context(week_key=week_key, peers=briefing.units, table=briefing.judgements)
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


def _change_phrase(key: str, value, previous, lang: str) -> tuple[str, str]:
    """(phrase, direction) of one KPI's change, worded by the judgement ("新增 2 条")."""
    unit = INDICATORS[key].unit
    change = describe_change(key, value, previous, lang)
    direction = change["direction"] if change["direction"] != "none" else "flat"
    text = t("briefing.text.change_item", lang, kpi=t(f"kpi.{key}", lang),
             previous=format_value(previous, unit, lang), value=format_value(value, unit, lang),
             change=change["text"], direction=t(f"briefing.direction.{change['direction']}", lang))
    return text, direction


def _changes(b: Briefing) -> list[str]:
    lang = b.lang
    phrases = [(key, *_change_phrase(key, _kpi(b.kpis, key)["value"], _kpi(b.kpis, key)["previous"], lang))
               for key in b.kpis["key"]]
    worse = [t(f"kpi.{key}", lang) for key, _, direction in phrases if direction == "worse"]
    out = [t("briefing.text.changes", lang, items=t("common.clause_sep", lang).join(p for _, p, _ in phrases))]
    out.append(t("briefing.text.worse", lang, items=_join(worse, lang)) if worse
               else t("briefing.text.none_worse", lang))
    return out


def _yoy(b: Briefing) -> list[str]:
    lang = b.lang
    if b.kpis_yoy.empty:
        return [t("briefing.text.no_yoy", lang)]
    items = [_change_phrase(key, _kpi(b.kpis, key)["value"], _kpi(b.kpis_yoy, key)["value"], lang)[0]
             for key in YOY_KEYS]
    return [t("briefing.text.yoy", lang, week=format_week(yoy_week(b.week_key)),
              items=t("common.clause_sep", lang).join(items))]


def _units(b: Briefing, unit_kind: str) -> list[str]:
    lang, units = b.lang, b.units
    if units.empty:
        return [t("common.no_data", lang) + END[lang]]
    worst = units.head(3)
    best = units.sort_values(["attention_index", "code"]).head(3)
    top = worst.iloc[0]
    reasons = t("judge.item_sep", lang).join(reason_sentences(top["reasons"], lang, n=2)) or t("judge.no_reason", lang)
    return [t("briefing.text.units", lang, n=len(units), unit=unit_kind, weeks=UNIT_WINDOW,
              best=_names(best, lang, "attention_index", "index"),
              worst=_names(worst, lang, "attention_index", "index"),
              top=top["name"], reasons=reasons)]


def _ranking(b: Briefing) -> list[str]:
    lang, units = b.lang, b.units
    if units.empty:
        return [t("common.no_data", lang) + END[lang]]
    judged = judge_frame(units, "attention_index", b.context)
    above = int((judged["level"] == PROBLEM).sum())
    line = problem_line(judgement_of("attention_index", b.judgements))
    order = bar_order(bfig_attention(b), lang)  # read off the slide's own chart
    return [t("briefing.text.ranking", lang, n=above, total=len(units), line=f"{line:g}", order=order)]


def _extremes(units: pd.DataFrame, column: str, lang: str, key: str) -> str:
    frame = units.dropna(subset=[column])
    if frame.empty:
        return t("briefing.text.no_rate", lang, kpi=t(f"kpi.{column}", lang))
    ordered = frame.sort_values([column, "code"], ascending=[False, True])
    return t(key, lang, kpi=t(f"kpi.{column}", lang), weeks=UNIT_WINDOW,
             best=_names(ordered.head(1), lang, column), worst=_names(ordered.tail(1).iloc[::-1], lang, column))


def _lagging(b: Briefing, key: str, n: int = 3) -> str:
    """The units the judgement calls watch or problem on `key`, worst first, each stated
    with its numbers; or that none is."""
    lang, units = b.lang, b.units
    judged = judge_frame(units, key, b.context) if not units.empty else pd.DataFrame()
    bad = judged[judged["level"].isin(BAD_LEVELS)].sort_values("gap", ascending=False) if len(judged) else judged
    if bad.empty:
        return t(f"briefing.text.none_lagging.{judgement_of(key, b.judgements).benchmark}", lang,
                 kpi=t(f"kpi.{key}", lang), weeks=UNIT_WINDOW)
    rows = verdicts(units.loc[bad.index[:n]], key, b.context)
    names = units.loc[bad.index[:n], "name"]
    items = [sentence(v, lang, name=name, table=b.judgements) for v, name in zip(rows, names)]
    return t(f"briefing.text.lagging.{key}", lang, n=len(bad), weeks=UNIT_WINDOW,
             items=t("judge.item_sep", lang).join(items))


def _service(b: Briefing) -> list[str]:
    lang = b.lang
    return [_extremes(b.units, "on_time_completion_rate", lang, "briefing.text.extremes"),
            _lagging(b, "on_time_completion_rate"),
            _extremes(b.units, "satisfaction_rate", lang, "briefing.text.extremes"),
            _lagging(b, "satisfaction_rate")]


def _region_sentence(b: Briefing, key: str) -> str:
    row = _kpi(b.kpis, key)
    verdict = judge(key, row["value"], benchmark=b.context.benchmark(key), sample=row.get("sample"),
                    numerator=row.get("numerator"), table=b.judgements)
    return sentence(verdict, b.lang, name=b.region_name, table=b.judgements)


def _funds(b: Briefing) -> list[str]:
    lang = b.lang
    return [t("briefing.text.funds_total", lang, value=_region_sentence(b, "disbursement_rate_ytd")),
            _lagging(b, "disbursement_rate_ytd")]


def _disclosure(b: Briefing) -> list[str]:
    lang = b.lang
    return [t("briefing.text.disclosure_total", lang, value=_region_sentence(b, "disclosure_on_time_rate")),
            _lagging(b, "disclosure_on_time_rate"), *_reporting(b)]


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
    judged = assess(judgement_of("reporting_completeness", b.judgements), ranking["completeness"].to_numpy(),
                    ranking["villages"].to_numpy())
    lagging = ranking[judged["level"].isin(BAD_LEVELS).to_numpy()].tail(3).iloc[::-1]
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
        "trend": trend_strip_dict(b.trend, lang=lang, height=bfig.SLIDE_SIZE[1]),
        "yoy": bfig.year_on_year(b.trend, b.trend_yoy, "complaints_received", "count", lang=lang),
        "attention": bfig_attention(b),
        "service": bfig.service_quality(b.units, lang=lang),
        "funds": judged_bars(b.units, "disbursement_rate_ytd", b.context, lang,
                             reference=b.context.benchmark("disbursement_rate_ytd"),
                             reference_label=t("judge.benchmark.time_progress", lang)),
        "disclosure": judged_bars(b.units, "disclosure_on_time_rate", b.context, lang,
                                  reference=judgement_of("disclosure_on_time_rate", b.judgements).level,
                                  reference_label=t("judge.benchmark.floor", lang)),
        "hotspots": bfig.hotspots(b.hot, b.new_hot, lang=lang),
        "spikes": bfig.spikes(b.spikes, lang=lang),
        "clues": bfig.clues(b.units_week, lang=lang),
    }
    if engine is not None and cache_dir is not None:  # the map needs the geometry cache
        from views.overview import attention_figure_dict, map_parent_level
        resolved = {"region": b.region, "week": b.week, "lang": lang, "region_name": b.region_name,
                    "as_of": b.as_of}
        # the map's regions are the briefing's units unless the briefing is of a township
        same = map_parent_level(b.region) == (b.region, unit_level(b.region))
        fig = attention_figure_dict(engine, scope, resolved, cache_dir=cache_dir, version=version,
                                    metrics=b.units if same else None)
        figs["map"] = {**fig, "layout": {**fig.get("layout", {}), "height": bfig.SLIDE_SIZE[1]}}
    out = {}
    for key, fig in figs.items():
        title = t(f"briefing.chart.{key}", lang, unit=units_kind)
        out[key] = with_export_meta(figure_dict(fig), title=title, region=b.region_name, period=b.week,
                                    as_of=b.as_of)
    return out


def judged_bars(units: pd.DataFrame, key: str, context: Context, lang: str, **kwargs) -> dict:
    """Bars of one indicator per unit, worst at the top, each coloured by its judgement."""
    judged = judge_frame(units, key, context) if not units.empty and key in units else pd.DataFrame()
    colours = colours_for(judged, judgement_of(key, context.table)) if len(judged) else []
    return bfig.unit_bars(units, key, judgement_of(key, context.table).unit, lang=lang,
                          higher_is_better=INDICATORS[key].higher_is_better, colours=colours, **kwargs)


def bfig_attention(b: Briefing) -> dict:
    """The attention ranking chart, built once per briefing (its sentence reads it too)."""
    if "attention" not in b.drawn:
        b.drawn["attention"] = judged_bars(b.units, "attention_index", b.context, b.lang, label_key="index.attention")
    return b.drawn["attention"]


def bar_order(fig, lang: str) -> str:
    """How the bars of a chart run from top to bottom, read off the chart itself:
    '由高到低' when the top bar holds the largest value."""
    data = (fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig).get("data") or []
    bars = [tr for tr in data if tr.get("type") == "bar"]
    if not bars or len(bars[0].get("x") or []) < 2:
        return t("briefing.order.single", lang)
    values = list(bars[0]["x"])[::-1]  # plotly draws the first row at the bottom
    return t("briefing.order.desc" if values[0] >= values[-1] else "briefing.order.asc", lang)


PREVIEW_CHART_PX = 380  # a chart's height in the /briefing preview (the slides keep SLIDE_SIZE)


def for_preview(figures: dict) -> dict:
    """The briefing's figures sized for the preview's cards (drawn whole, not cut off)."""
    out = {}
    for key, fig in figures.items():
        layout = {**(fig.get("layout") or {}), "height": PREVIEW_CHART_PX}
        out[key] = {**fig, "layout": layout}
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
