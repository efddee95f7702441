"""Issue #15 on the city demo: every defect the issue lists, one test each, read off what
the pages and the briefing build (views/, figures/), all judged by data/judgement.py."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from data.judgement import BAD_LEVELS, Context, colours_for, judge_frame, judgement_of
from data.scope import Scope
from tests.support.demo import DEMO_WEEK

CITY = "431000000000"
SCOPE = Scope.of(CITY)


@pytest.fixture(scope="module")
def city_engine(city_demo_db_url):
    from data.model.db import make_engine
    engine = make_engine(city_demo_db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module", params=["zh-CN", "en"])
def briefing(request, city_engine):
    from views.briefing import build_briefing
    return build_briefing(city_engine, SCOPE, CITY, DEMO_WEEK, lang=request.param)


def _topic(b, key):
    return next(tp for tp in b.topics if tp.key == key)


@pytest.mark.parametrize("key, topic, position", [("disbursement_rate_ytd", "funds", 1),
                                                   ("disclosure_on_time_rate", "disclosure", 1),
                                                   ("on_time_completion_rate", "service", 1),
                                                   ("satisfaction_rate", "service", 3)])
def test_the_briefing_names_as_lagging_only_units_its_judgement_calls_bad(briefing, key, topic, position):
    """临武县 96.3 % was named "lagging" though far ahead of the 91.2 % time progress."""
    units = briefing.units
    judged = judge_frame(units, key, briefing.context)
    text = _topic(briefing, topic).sentences[position]
    named = {name for name in units["name"] if name in text}
    bad = set(units.loc[judged["level"].isin(BAD_LEVELS), "name"])
    assert named <= bad, (text, named - bad)
    worst = judged[judged["level"].isin(BAD_LEVELS)].sort_values("gap", ascending=False).head(3).index
    assert set(units.loc[worst, "name"]) <= named  # the three furthest off are the ones named


@pytest.mark.parametrize("chart, key", [("funds", "disbursement_rate_ytd"), ("disclosure", "disclosure_on_time_rate"),
                                        ("attention", "attention_index")])
def test_every_bar_of_the_briefing_takes_the_colour_of_its_verdict(briefing, chart, key):
    """The slide painted units red by rank (临武县 and 资兴市 red beside 汝城县's 68.5 %)."""
    from views.briefing import briefing_figures
    fig = briefing_figures(briefing)[chart]
    bar = fig["data"][0]
    units = briefing.units.set_index("name")
    judged = judge_frame(briefing.units, key, briefing.context)
    colour = dict(zip(briefing.units["name"], colours_for(judged, judgement_of(key))))
    assert [colour[name] for name in bar["y"]] == list(bar["marker"]["color"])
    assert len(bar["y"]) == units[key].notna().sum()


def test_the_ranking_sentence_states_the_order_of_its_own_chart(briefing):
    """'按指数由高到低排列如图' stood over a chart sorted the other way."""
    from views.briefing import briefing_figures
    bar = briefing_figures(briefing)["attention"]["data"][0]
    top_down = list(bar["x"])[::-1]  # plotly draws the first row at the bottom
    descending = top_down[0] >= top_down[-1]
    sentence = _topic(briefing, "ranking").sentences[0]
    if briefing.lang == "en":
        assert ("from high to low" in sentence) == descending and ("from low to high" in sentence) != descending
    else:
        assert ("由高到低" in sentence) == descending and ("由低到高" in sentence) != descending


def test_hot_township_reasons_are_never_good_values(city_engine):
    """'资金拨付率仅 96.3%' was a reason of a hot township."""
    from data.queries import fetch_hot_townships
    with city_engine.connect() as conn:
        hot = fetch_hot_townships(conn, SCOPE, region_code=CITY, week_key=DEMO_WEEK, n=10)
    assert len(hot)
    for reasons in hot["reasons"]:
        for v in reasons:
            j = judgement_of(v.key)
            assert v.level in BAD_LEVELS and v.gap > 0
            if j.benchmark in ("floor", "time_progress"):
                assert v.value < v.benchmark
            elif j.benchmark in ("ceiling", "peers"):
                assert v.value > v.benchmark
            if j.min_sample:
                assert v.sample >= j.min_sample


def test_the_map_panel_never_lists_a_green_value_as_a_main_problem(city_engine):
    """资兴市 万人投诉量 2.7 (green) was a 主要问题 on the map and the profile."""
    from views.map import panel_data, resolve_view
    view = resolve_view(city_engine, SCOPE, {"region": "431081000000", "week": "2026-W46", "period": "4w",
                                             "lang": "zh-CN", "metric": "attention_index"})
    data = panel_data(city_engine, SCOPE, view)
    levels = {row["key"]: row["level"] for row in data["rows"]}
    kpis = {"万人投诉量": "complaints_per_10k", "按期办结率": "on_time_completion_rate", "重复投诉率": "repeat_complaint_rate",
            "资金拨付率": "disbursement_rate_ytd", "公开及时率": "disclosure_on_time_rate"}
    for reason in data["reasons"]:
        for word, key in kpis.items():
            if reason.startswith(word):
                assert levels[key] in BAD_LEVELS, (reason, levels[key])


def test_a_village_rate_on_two_cases_is_counts_not_a_judgement(city_engine):
    """'群众满意率 50.0%，+50.0个百分点' for a village with two rated complaints."""
    from sqlalchemy import text

    from views.region import profile_data
    with city_engine.connect() as conn:
        village = conn.execute(text(
            "SELECT village_code FROM complaint WHERE satisfaction IS NOT NULL AND closed_at >= '2026-11-09' "
            "AND closed_at < '2026-11-16' GROUP BY village_code HAVING COUNT(*) BETWEEN 1 AND 4 "
            "ORDER BY village_code LIMIT 1")).scalar_one()
    view = {"region": village, "week": "2026-W46", "period": "week", "lang": "zh-CN", "level": "village"}
    row = next(r for r in profile_data(city_engine, SCOPE, view)["rows"] if r["key"] == "satisfaction_rate")
    assert row["level"] is None and re.fullmatch(r"\d+/\d件", row["value"]), row
    assert row["direction"] == "none" and "百分点" not in row["change"]


def test_spike_limits_are_one_number_on_both_pages(city_engine, briefing):
    """The same township's limit was 31 in the briefing and 29 on /complaints."""
    from data.calendar import format_week, weeks_back
    from data.rules.spikes import SpikeRule
    from views.briefing import build_briefing
    from views.complaints import hotspots_view
    hits = pd.DataFrame()
    for week in weeks_back(DEMO_WEEK, 20)[::-4]:  # /complaints lists the spikes of 4 weeks
        resolved = {"region": CITY, "week": format_week(week), "lang": briefing.lang, "region_name": "郴州市"}
        page = hotspots_view(city_engine, SCOPE, resolved, SpikeRule())
        hits = page[page["kind"] == "township"]
        if len(hits):
            break
    assert len(hits), "the demo plants township spikes"
    for row in hits.head(3).itertuples():
        other = build_briefing(city_engine, SCOPE, CITY, int(row.week_key), lang=briefing.lang)
        spikes = other.spikes.set_index("code")
        assert bool(spikes.loc[row.key, "spike"]) and int(spikes.loc[row.key, "limit"]) == int(row.limit)


def test_the_league_reply_rate_and_the_handling_rate_are_the_same_fact(city_engine):
    """The league said 100.0 % for every unit while the funnel showed 74 % replied: each now
    says what it counts, and the league's rate is the handling section's for the same units."""
    from data.queries import complaints as qc
    from i18n import t
    from views.complaints import handling_view, units_view
    resolved = {"region": CITY, "week": "2026-W46", "period": "4w", "lang": "zh-CN", "as_of": "2026-11-15"}
    towns = units_view(city_engine, SCOPE, resolved, (0.92, 0.85, 0.08))["townships"]
    handling = handling_view(city_engine, SCOPE, resolved)["summary"]
    assert qc.ind.reply_rate(handling["replied"], handling["closed"]) == handling["reply_rate"]
    assert "÷" in t("complaints.units.col.reply_rate", "zh-CN") and "占收到" in t("complaints.funnel.subtitle", "zh-CN")
    assert towns["reply_rate_text"].notna().all()


def test_amount_axes_never_read_20k_wan(city_engine):
    """'20k 万元' on an axis: 万元 axes print whole numbers."""
    from views import funds as vf
    resolved = {"region": CITY, "week": "2026-W46", "lang": "zh-CN", "period": "ytd", "region_name": "郴州市"}
    with city_engine.connect() as conn:
        overdue = vf.overdue_view(conn, SCOPE, resolved)[0]
        ledger = vf.ledger_view(conn, SCOPE, resolved)
    ledger = ledger[0] if isinstance(ledger, tuple) else ledger
    assert overdue.layout.xaxis.tickformat == ",~f"
    assert ledger.layout.yaxis.tickformat == ",~f"


def _rate_axes(fig: dict):
    layout = fig.get("layout") or {}
    for name, axis in layout.items():
        if re.fullmatch(r"[xy]axis\d*", name) and isinstance(axis, dict):
            fmt = str(axis.get("tickformat") or "")
            if fmt.endswith("%") or axis.get("ticksuffix") == "%":
                yield name, axis, 100.0 if axis.get("ticksuffix") == "%" else 1.0


def test_rate_axes_end_at_one_hundred_percent(city_engine, briefing):
    """A rate axis to 105 %."""
    from figures.region import profile_trend
    from views import funds as vf
    from views.briefing import briefing_figures
    figures = list(briefing_figures(briefing).values())
    resolved = {"region": CITY, "week": "2026-W46", "lang": "zh-CN", "period": "ytd", "region_name": "郴州市"}
    with city_engine.connect() as conn:
        figures.append(vf.progress_view(conn, SCOPE, resolved, (15, 10, 5))[0].to_plotly_json())
    trend = pd.DataFrame({"week_key": [202645, 202646], "complaints_received": [1, 2], "on_time_completion_rate": [1.0, 0.5],
                          "satisfaction_rate": [1.0, None], "new_clues": [0, 1]})
    figures.append(profile_trend(trend, lang="zh-CN").to_plotly_json())
    seen = 0
    for fig in figures:
        for name, axis, full in _rate_axes(fig):
            seen += 1
            if axis.get("range"):
                assert axis["range"][1] <= full, (name, axis["range"])
    assert seen >= 4


def test_the_map_hover_names_the_attention_index_once_and_the_amount_with_its_unit(city_engine):
    from figures.map import metric_values
    from i18n import t
    from views.overview import MAP_HOVER
    frame = pd.DataFrame({"code": ["a"], "name": ["A"], "attention_index": [50.0]})
    hover = metric_values(frame, "attention_index", "zh-CN")["hovertemplate"]
    assert hover.count(t("index.attention", "zh-CN")) == 1 == hover.count(t("kpi.attention_index", "zh-CN"))
    amount = next(p for p in MAP_HOVER if p.column == "new_clue_amount")
    assert amount.unit_key and t(amount.unit_key, "zh-CN") == "元"


def test_timeline_months_are_numbers_in_every_language():
    """English month names on Chinese pages (plotly's date ticks)."""
    from figures.region import profile_timeline
    frame = pd.DataFrame({"series": ["complaints_received"], "period_start": ["2026-11-09"], "value": [3]})
    layout = profile_timeline(frame, lang="zh-CN").to_plotly_json()["layout"]
    assert all(axis.get("tickformat") == "%Y-%m" for name, axis in layout.items() if name.startswith("xaxis"))


def test_judgement_context_week_is_the_briefing_week(briefing):
    assert isinstance(briefing.context, Context) and briefing.context.week_key == DEMO_WEEK


def test_the_screen_unit_panel_is_judged_like_the_briefing(city_engine):
    """The wall screen's unit bars: the twelve lowest disbursement rates, each in its
    verdict's colour against the week's time progress."""
    from views.screen import unit_figures, unit_frame
    resolved = {"region": CITY, "week": "2026-W46", "lang": "en", "region_name": "郴州市", "as_of": "2026-11-15"}
    figs = unit_figures(city_engine, SCOPE, resolved)
    units = unit_frame(city_engine, SCOPE, resolved)
    bar = figs["funds"]["data"][0]
    context = Context(week_key=DEMO_WEEK, peers=units)
    judged = judge_frame(units, "disbursement_rate_ytd", context)
    colour = dict(zip(units["name"], colours_for(judged, judgement_of("disbursement_rate_ytd"))))
    assert bar["y"] and [colour[n] for n in bar["y"]] == list(bar["marker"]["color"])
    rates = pd.to_numeric(units["disbursement_rate_ytd"], errors="coerce").dropna()
    assert len(bar["y"]) == min(12, len(rates)) and figs["ranking"]["data"][0]["y"]
