"""data/judgement.py: one judgement per indicator, and nothing contradicts it.

Properties (hypothesis): a value on the good side of its benchmark is never watch or
problem, and never a reason; a sample below the minimum is never judged, never coloured;
the stated sentence says "behind"/"below"/"above" exactly when the level is bad; the map's
stepped colour of a value is the colour of its verdict.
"""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data import judgement as jm
from data.judgement import BAD_LEVELS, GOOD, PROBLEM, WATCH, Context, judge, judgements, sentence

TABLE = judgements()
JUDGED = sorted(k for k, j in TABLE.items() if j.benchmark != "none" and k != "disbursement_rate")
RATE_KEYS = [k for k in JUDGED if TABLE[k].unit == "rate"]
WEEK = 202647  # 2026-W47, Sunday 22 Nov: time progress 326/365

values = st.floats(min_value=0, max_value=1, allow_nan=False)
benchmarks = st.floats(min_value=0.05, max_value=1, allow_nan=False)


def _bench(key, given_bench):
    j = TABLE[key]
    return j.level if j.benchmark in ("floor", "ceiling", "zero") else given_bench


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(JUDGED), value=values, bench=benchmarks, sample=st.integers(0, 500))
def test_better_than_the_benchmark_is_never_bad(key, value, bench, sample):
    j = TABLE[key]
    scale = 100.0 if j.unit in ("index",) else (40.0 if j.unit == "per_10k" else 1.0)
    value *= scale
    verdict = judge(key, value, benchmark=bench * scale, sample=sample)
    reference = _bench(key, bench * scale)
    if verdict.why == "small_sample":
        assert verdict.level is None and verdict.band is None
        return
    assert verdict.level is not None
    better_or_equal = value >= reference if j.higher_is_better else value <= reference
    if better_or_equal:
        assert verdict.level == GOOD, (key, value, reference, verdict)
    if verdict.level in BAD_LEVELS:
        assert not better_or_equal


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from([k for k in JUDGED if TABLE[k].min_sample > 1]), value=values,
       sample=st.integers(0, 4))
def test_a_sample_below_the_minimum_is_never_judged_nor_coloured(key, value, sample):
    j = TABLE[key]
    verdict = judge(key, value, benchmark=0.5, sample=min(sample, j.min_sample - 1), numerator=0)
    assert verdict.level is None and verdict.why == "small_sample"
    assert jm.colour_of(verdict.level) == jm.LEVEL_COLOURS[""]
    text = sentence(verdict, "zh-CN")
    assert "/" in text and "不作判断" in text  # shown with its counts, not called anything


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from(RATE_KEYS), value=values, bench=benchmarks)
def test_the_sentence_says_bad_exactly_when_the_level_is_bad(key, value, bench):
    verdict = judge(key, value, benchmark=bench, sample=1_000, numerator=round(value * 1000))
    zh, en = sentence(verdict, "zh-CN"), sentence(verdict, "en")
    bad_zh = any(w in zh for w in ("落后", "低于", "高于"))
    bad_en = any(w in en for w in ("behind", "below the", "above the"))
    assert bad_zh == verdict.bad == bad_en, (zh, en, verdict)


def test_the_issue_example_reads_as_the_issue_wants():
    """汝城县 68.5 % against a 91.2 % time progress: 22.7 points behind, red."""
    verdict = judge("disbursement_rate_ytd", 0.685, benchmark=0.912, sample=1e6)
    assert verdict.level == PROBLEM and verdict.band == "red"
    assert sentence(verdict, "zh-CN", name="汝城县") == \
        "汝城县资金拨付率（年初至今） 68.5%，落后时序进度（91.2%）22.7 个百分点"
    # 临武县 96.3 % is far ahead: good, and said so
    ahead = judge("disbursement_rate_ytd", 0.963, benchmark=0.912, sample=1e6)
    assert ahead.level == GOOD and "快于" in sentence(ahead, "zh-CN")


def test_disbursement_bands_are_the_funds_page_red_yellow_blue():
    share = 0.80
    bands = [judge("disbursement_rate_ytd", r, benchmark=share, sample=1).band for r in (0.50, 0.68, 0.74, 0.79)]
    assert bands == ["red", "yellow", "blue", GOOD]
    custom = judgements(lag_points=(20.0, 10.0, 0.0))["disbursement_rate_ytd"]
    assert jm.assess(custom, [0.62], [1], share)["band"].iloc[0] == "yellow"


def test_two_rated_complaints_are_shown_as_counts_with_no_change():
    """'群众满意率 50.0%，+50.0个百分点' on two ratings meant nothing."""
    verdict = judge("satisfaction_rate", 0.5, sample=2, numerator=1)
    assert verdict.why == "small_sample"
    assert jm.sentence_value(verdict, "zh-CN") == "1/2件"
    change = jm.describe_change("satisfaction_rate", 0.5, 0.0, "zh-CN", small=True)
    assert change["direction"] == "none" and "百分点" not in change["text"]


@pytest.mark.parametrize("lang, want", [("zh-CN", "新增 2 条"), ("en", "new: 2")])
def test_a_count_rising_from_zero_is_new_not_flat(lang, want):
    change = jm.describe_change("new_clues", 2, 0, lang)
    assert change["text"] == want and change["direction"] == "worse"
    assert jm.describe_change("new_clues", 0, 0, lang)["direction"] == "flat"
    assert jm.describe_change("new_clues", 0, 3, lang)["direction"] == "better"


def test_peers_are_judged_against_their_median_of_judgeable_peers():
    peers = pd.DataFrame({"complaints_per_10k": [2.0, 4.0, 6.0, 100.0], "received": [10, 10, 10, 1]})
    assert jm.peer_median(peers, "complaints_per_10k") == 4.0  # the one on 1 case is left out
    context = Context(peers=peers)
    judged = jm.judge_frame(peers, "complaints_per_10k", context)
    assert judged["level"].tolist() == [GOOD, GOOD, PROBLEM, None]
    # 资兴市 2.7 per 10k, below the median: never a problem
    assert judge("complaints_per_10k", 2.7, benchmark=4.0, sample=30).level == GOOD


def _scored(rows):
    from data.indicators import attention_index
    frame = pd.DataFrame(rows)
    for key in ("complaints_per_10k", "overdue_rate", "repeat_complaint_rate", "new_clues", "new_clue_amount",
                "disbursement_lag", "disclosure_lateness"):
        if key not in frame:
            frame[key] = 0.0
    return attention_index(frame)


def test_a_component_merely_lowest_among_good_peers_is_no_reason():
    """96.3 % disbursed when the year is 89 % gone is the lowest of its peers and still
    ahead of time: it raises the (relative) index but is never given as a reason."""
    rows = [{"disbursement_rate_ytd": r, "disbursement_lag": 1 - r, "allocated_amount_ytd": 1e6}
            for r in (0.963, 0.97, 0.98)]
    scored = _scored(rows)
    assert scored.loc[0, "contrib_disbursement_lag"] > 0
    assert jm.reasons_for(scored, Context(week_key=WEEK)) == [[], [], []]
    behind = _scored([{**rows[0], "disbursement_rate_ytd": 0.6, "disbursement_lag": 0.4}, *rows[1:]])
    reasons = jm.reasons_for(behind, Context(week_key=WEEK))
    assert [v.key for v in reasons[0]] == ["disbursement_rate_ytd"] and reasons[0][0].band == "red"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(values, st.integers(0, 60)), min_size=2, max_size=12))
def test_no_reason_contradicts_its_judgement(rows):
    frame = _scored([{"on_time_completion_rate": v, "overdue_rate": 1 - v, "due": n,
                      "due_on_time": round(v * n)} for v, n in rows])
    for verdicts in jm.reasons_for(frame, Context(week_key=WEEK)):
        for v in verdicts:
            assert v.level in (PROBLEM, WATCH) and v.value < TABLE["on_time_completion_rate"].level
            assert v.sample is not None and v.sample >= TABLE["on_time_completion_rate"].min_sample


@settings(max_examples=100, deadline=None)
@given(key=st.sampled_from(RATE_KEYS), rows=st.lists(st.tuples(values, st.integers(0, 40)), min_size=1, max_size=15))
def test_the_map_colour_of_every_region_is_the_colour_of_its_verdict(key, rows):
    """figures/map.metric_values draws a region at its verdict's band: same colour, and a
    region on too few cases is not drawn in any verdict's colour (grey trace)."""
    from figures.map import metric_values
    j = TABLE[key]
    frame = pd.DataFrame({"code": [f"c{i}" for i in range(len(rows))], "name": [f"n{i}" for i in range(len(rows))],
                          key: [v for v, _ in rows], j.sample or "n": [n for _, n in rows],
                          j.numerator or "k": [round(v * n) for v, n in rows]})
    context = Context(week_key=WEEK, peers=frame)
    drawn = metric_values(frame, key, "zh-CN", context)
    judged = jm.judge_frame(frame, key, context)
    want = jm.colours_for(judged, j)
    scale = drawn["colorscale"]
    for z, colour, why in zip(drawn["z"], want, judged["why"]):
        if why is not None:
            assert z is None  # no value, or too few cases: the grey "no data" trace
        else:
            assert scale[2 * int(z)][1] == colour


def test_every_indicator_of_the_table_has_its_words():
    from i18n import has_key
    for key, j in TABLE.items():
        assert has_key(f"kpi.{key}"), key
        assert has_key(f"judge.benchmark.{j.benchmark}")
