"""One judgement per indicator: which way is bad, against what, from how many cases, and
how far off is a problem. The only place the product decides that a value is "bad".

A `Judgement` says, for an indicator of data/indicators.py:
- direction: `higher_is_better`;
- benchmark: what the value is read against —
    time_progress  the share of the year elapsed at the week's Sunday (disbursement),
    floor/ceiling  a fixed level a service rate must reach / must not pass,
    peers          the median of the regions it is compared with (per-10k complaints),
    zero           any occurrence deserves a look (new clues, open red warnings),
    none           not judged, only reported (complaints received, filing rate);
- the minimum sample: below `min_sample` cases in the denominator (`sample`) no judgement
  is made — the value is shown with its counts ("1/2"), never coloured, never a reason;
- bands, worst first: (band name, gap at which it starts, level). The gap is how far the
  value is on the bad side of its benchmark (percentage points as a fraction for rates,
  a ratio − 1 for `peers`, the value itself for `zero`). Levels: problem | watch | good.
  The funds page's 红/黄/蓝 is the disbursement judgement's bands.

Everything that colours, arrows, lists a reason or writes a sentence asks `judge` (or
`judge_frame`/`attention_reasons`, built on it); `sentence` states a verdict with its numbers
in zh-CN or en. No other module compares a value with a threshold to call it bad.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from data.calendar import week_bounds

PROBLEM, WATCH, GOOD = "problem", "watch", "good"
LEVELS = (PROBLEM, WATCH, GOOD)
BAD_LEVELS = (PROBLEM, WATCH)
NEVER = math.inf  # a band that is never reached


@dataclass(frozen=True)
class Judgement:
    key: str
    higher_is_better: bool
    benchmark: str                     # time_progress | floor | ceiling | peers | zero | none
    bands: tuple[tuple[str, float, str], ...] = ()   # (band, gap from which it applies, level), worst first
    level: float | None = None         # the floor or ceiling
    sample: str | None = None          # measure column holding the cases behind the value
    min_sample: int = 0
    numerator: str | None = None       # measure column of the rate's numerator ("1/2")
    unit: str = "rate"                 # rate | count | per_10k | yuan | index (as INDICATORS)

    def band_of(self, gap: float) -> tuple[str, str]:
        """(band, level) of a gap on the bad side (> 0) or the good side (<= 0)."""
        for band, start, level in self.bands:
            if gap >= start and gap > 0:
                return band, level
        return GOOD, GOOD


def _floor(key, level, problem_gap, numerator, sample, min_sample=5):
    return Judgement(key, True, "floor", ((PROBLEM, problem_gap, PROBLEM), (WATCH, 1e-9, WATCH)),
                     level=level, sample=sample, min_sample=min_sample, numerator=numerator)


def _ceiling(key, level, problem_gap, numerator, sample, min_sample=5):
    return Judgement(key, False, "ceiling", ((PROBLEM, problem_gap, PROBLEM), (WATCH, 1e-9, WATCH)),
                     level=level, sample=sample, min_sample=min_sample, numerator=numerator)


def _zero(key, unit, level_at_one=WATCH):
    return Judgement(key, False, "zero", ((level_at_one, 1e-9, level_at_one),), level=0.0, unit=unit)


def _none(key, higher_is_better, unit, sample=None):
    return Judgement(key, higher_is_better, "none", (), sample=sample, unit=unit)


MIN_CASES = 5  # fewer complaints / items than this behind a rate: shown with counts, not judged

DEFAULT_LAG_POINTS = (15.0, 10.0, 5.0)  # 红 / 黄 / 蓝: points behind time progress (settings)
DEFAULT_FLOORS = (0.92, 0.85, 0.08)     # reply floor, satisfaction floor, repeat ceiling (settings)


def _table(floors: tuple[float, ...], lag_points: tuple[float, ...]) -> dict[str, Judgement]:
    reply, satisfaction, repeat = floors
    red, yellow, blue = (p / 100 for p in lag_points)
    items = [
        Judgement("disbursement_rate_ytd", True, "time_progress",
                  (("red", red, PROBLEM), ("yellow", yellow, WATCH), ("blue", blue, WATCH)),
                  sample="allocated_amount_ytd", min_sample=1, numerator="paid_amount_ytd"),
        _floor("acceptance_rate", 0.95, 0.05, "accepted", "received"),
        _floor("on_time_completion_rate", 0.90, 0.10, "due_on_time", "due"),
        _floor("reply_rate", reply, 0.05, "replied", "closed"),
        _floor("satisfaction_rate", satisfaction, 0.05, "satisfied", "rated"),
        _ceiling("repeat_complaint_rate", repeat, 0.04, "repeats", "received"),
        _floor("disclosure_on_time_rate", 0.90, 0.10, "disclosure_on_time", "disclosure_due", min_sample=3),
        _floor("reporting_completeness", 1.0, 0.05, "villages_reported", "villages", min_sample=1),
        _floor("clue_verification_rate", 0.80, 0.20, "clues_verified", "new_clues", min_sample=3),
        _floor("warning_closure_rate", 0.80, 0.20, "warnings_closed", "warnings_raised", min_sample=3),
        _none("filing_rate", True, "rate", sample="clues_verified"),
        Judgement("complaints_per_10k", False, "peers", ((PROBLEM, 0.5, PROBLEM), (WATCH, 0.25, WATCH)),
                  sample="received", min_sample=MIN_CASES, unit="per_10k"),
        _zero("new_clues", "count"),
        _zero("new_clue_amount", "yuan"),
        _zero("open_red_warnings", "count", level_at_one=PROBLEM),
        Judgement("attention_index", False, "ceiling", ((PROBLEM, 10.0, PROBLEM), (WATCH, 1e-9, WATCH)),
                  level=50.0, unit="index"),
        _none("complaints_received", False, "count"),
    ]
    units = {"complaints_per_10k": "per_10k", "new_clues": "count", "new_clue_amount": "yuan",
             "open_red_warnings": "count", "attention_index": "index", "complaints_received": "count"}
    out = {j.key: replace(j, unit=units.get(j.key, j.unit)) for j in items}
    out["disbursement_rate"] = out["disbursement_rate_ytd"]
    return out


@lru_cache(maxsize=8)
def _cached_table(floors: tuple[float, ...], lag_points: tuple[float, ...]) -> dict[str, Judgement]:
    return _table(floors, lag_points)


_configured: dict = {}  # the process's floors and points (configure), else the defaults


def configure(settings) -> None:
    """Use the settings' complaint floors and 红/黄/蓝 points in every judgement of this
    process (app.create_app and the CLI call it once, at start)."""
    _configured["floors"] = tuple(settings.complaint_floors)
    _configured["lag_points"] = tuple(settings.funds_lag_points)


def judgements(floors: tuple[float, ...] | None = None,
               lag_points: tuple[float, ...] | None = None) -> dict[str, Judgement]:
    """Indicator key -> its Judgement: the given floors and points, else those the
    process was configured with, else the documented defaults."""
    return _cached_table(tuple(floors or _configured.get("floors") or DEFAULT_FLOORS),
                         tuple(lag_points or _configured.get("lag_points") or DEFAULT_LAG_POINTS))


def problem_line(j: Judgement) -> float | None:
    """The value from which a floor or ceiling judgement says "problem" (60 for the index)."""
    if j.level is None or j.benchmark not in ("floor", "ceiling") or not j.bands:
        return None
    gap = j.bands[0][1]
    return j.level - gap if j.higher_is_better else j.level + gap


def for_settings(settings) -> dict[str, Judgement]:
    """The judgements of a Settings (complaint_floors, funds_lag_points)."""
    return judgements(tuple(settings.complaint_floors), tuple(settings.funds_lag_points))


def judgement_of(key: str, table: Mapping[str, Judgement] | None = None) -> Judgement:
    """The judgement of an indicator; one the table does not judge is reported only."""
    found = (table or judgements()).get(key)
    if found is not None:
        return found
    from data.indicators import INDICATORS
    info = INDICATORS[key]
    return _none(key, info.higher_is_better, info.unit)


# Attention-index component -> the indicator whose judgement says whether it is a reason.
COMPONENT_INDICATOR = {
    "complaints_per_10k": "complaints_per_10k",
    "overdue_rate": "on_time_completion_rate",
    "repeat_complaint_rate": "repeat_complaint_rate",
    "new_clues": "new_clues",
    "new_clue_amount": "new_clue_amount",
    "disbursement_lag": "disbursement_rate_ytd",
    "disclosure_lateness": "disclosure_on_time_rate",
}


# ---------------------------------------------------------------- verdicts

@dataclass(frozen=True)
class Verdict:
    """What the judgement says of one value. `level` None = not judged (`why`:
    no_value | small_sample | no_benchmark | not_judged)."""
    key: str
    value: float | None
    benchmark: float | None = None
    gap: float | None = None           # > 0: on the bad side, in the judgement's gap units
    level: str | None = None
    band: str | None = None
    sample: float | None = None        # cases behind the value
    numerator: float | None = None     # for "1/2" when the sample is too small
    why: str | None = None
    kind: str = "none"                 # the benchmark kind

    @property
    def bad(self) -> bool:
        return self.level in (PROBLEM, WATCH)

    @property
    def judged(self) -> bool:
        return self.level is not None


def _num(value) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def year_share(week_key: int) -> float:
    """时序进度: share of the calendar year elapsed at the week's Sunday (Jan 1 = 1/365)."""
    sunday = week_bounds(week_key)[1]
    start = dt.date(sunday.year, 1, 1)
    days = (dt.date(sunday.year + 1, 1, 1) - start).days
    return ((sunday - start).days + 1) / days


def _floats(values, n: int) -> np.ndarray:
    """Numbers as a float array, None and text as NaN (object columns of rates included)."""
    if values is None:
        return np.full(n, np.nan)
    return np.asarray(pd.to_numeric(np.asarray(values, dtype=object).reshape(-1), errors="coerce"), dtype=float)


def assess(j: Judgement, values, samples=None, benchmark=None) -> pd.DataFrame:
    """The judgement applied to many values at once (the one implementation of it):
    columns gap, level, band, why (None where judged / not judged), benchmark.
    Numpy throughout: a page judges its units several times per request."""
    v = _floats(values, 0)
    n = len(v)
    bench = j.level if j.benchmark in ("floor", "ceiling", "zero") else _num(benchmark)
    small = np.zeros(n, dtype=bool)
    if j.sample and j.min_sample:
        cases = _floats(samples, n)
        small = ~(cases >= j.min_sample)
    unjudged = j.benchmark == "none"
    no_bench = bench is None or (j.benchmark == "peers" and bench <= 0)
    missing = np.isnan(v)
    why = np.full(n, None, dtype=object)
    for mask, reason in ((np.full(n, no_bench), "no_benchmark"), (small, "small_sample"),
                         (np.full(n, unjudged), "not_judged"), (missing, "no_value")):  # the last one wins
        why[mask] = reason
    if unjudged or no_bench:
        gap = np.full(n, np.nan)
    elif j.benchmark == "peers":
        gap = v / bench - 1
    else:
        gap = (bench - v) if j.higher_is_better else (v - bench)
    gap = np.round(gap, 9)  # 0.85 − 0.80 is 0.0499999…: five points are five points
    band = np.full(n, GOOD, dtype=object)
    level = np.full(n, GOOD, dtype=object)
    placed = np.zeros(n, dtype=bool)
    with np.errstate(invalid="ignore"):
        for name, start, lvl in j.bands:
            hit = ~placed & (gap >= start) & (gap > 0)
            band[hit], level[hit] = name, lvl
            placed |= hit
    judged = np.array([w is None for w in why], dtype=bool)
    band[~judged], level[~judged] = None, None
    # object Series: pandas would infer a string dtype and turn None into NaN
    return pd.DataFrame({"gap": np.where(judged, gap, np.nan), "level": pd.Series(level, dtype=object),
                         "band": pd.Series(band, dtype=object), "why": pd.Series(why, dtype=object),
                         "benchmark": bench})


def judge(key: str, value, *, benchmark=None, sample=None, numerator=None,
          table: Mapping[str, Judgement] | None = None) -> Verdict:
    """The verdict on one value. `benchmark`: the time progress, the peers' median (for
    those kinds; floors, ceilings and zero carry their own); `sample`: cases behind it."""
    j = judgement_of(key, table)
    row = assess(j, [_num(value)], [_num(sample)], benchmark).iloc[0]
    return Verdict(key, _num(value), benchmark=_num(row["benchmark"]), gap=_num(row["gap"]),
                   level=row["level"], band=row["band"], sample=_num(sample), numerator=_num(numerator),
                   why=row["why"], kind=j.benchmark)


@dataclass(frozen=True)
class Context:
    """What a row's values are judged against: the week (time progress) and the peers."""
    week_key: int | None = None
    peers: pd.DataFrame | None = None   # the compared regions (for the peers' median)
    table: Mapping[str, Judgement] | None = None

    def benchmark(self, key: str):
        j = judgement_of(key, self.table)
        if j.benchmark == "time_progress":
            return year_share(self.week_key) if self.week_key else None
        if j.benchmark == "peers":
            return peer_median(self.peers, key, j) if self.peers is not None else None
        return None


def peer_median(peers: pd.DataFrame, key: str, j: Judgement | None = None) -> float | None:
    """Median of the compared regions' values that are themselves judgeable (enough cases)."""
    if key not in peers:
        return None
    j = j or judgement_of(key)
    values = pd.to_numeric(peers[key], errors="coerce")
    if j.sample and j.sample in peers and j.min_sample:
        values = values[pd.to_numeric(peers[j.sample], errors="coerce").fillna(0) >= j.min_sample]
    values = values.dropna()
    return float(values.median()) if len(values) else None


def _get(row, name):
    return row.get(name) if hasattr(row, "get") else None


def judge_row(key: str, row, context: Context, benchmark=None) -> Verdict:
    """The verdict on `row[key]`, its sample and numerator read from the row's measures."""
    j = judgement_of(key, context.table)
    numerator = _get(row, j.numerator) if j.numerator else None
    sample = _get(row, j.sample) if j.sample else None
    return judge(key, _get(row, key), benchmark=benchmark if benchmark is not None else context.benchmark(key),
                 sample=sample, numerator=numerator, table=context.table)


def judge_frame(frame: pd.DataFrame, key: str, context: Context) -> pd.DataFrame:
    """`assess` of `frame[key]` (index kept): gap, level, band, why, benchmark; the peers
    default to the frame itself."""
    j = judgement_of(key, context.table)
    if context.peers is None:
        context = replace(context, peers=frame)
    values = frame[key] if key in frame else pd.Series([None] * len(frame))
    samples = frame[j.sample] if j.sample and j.sample in frame else None
    out = assess(j, values.to_numpy(), None if samples is None else samples.to_numpy(), context.benchmark(key))
    out.index = frame.index
    return out


def verdicts(frame: pd.DataFrame, key: str, context: Context) -> list[Verdict]:
    """One Verdict per row (for sentences and cells): `judge_frame` with the row's value
    and counts, read column-wise (a league of hundreds of units in a few milliseconds)."""
    j = judgement_of(key, context.table)
    judged = judge_frame(frame, key, context)
    values, samples, numerators = _column(frame, key), _column(frame, j.sample), _column(frame, j.numerator)
    bench, gap = judged["benchmark"].to_numpy(dtype=object), judged["gap"].to_numpy(dtype=object)
    level, band, why = (judged[c].to_numpy(dtype=object) for c in ("level", "band", "why"))
    return [Verdict(j.key, _num(values[i]), benchmark=_num(bench[i]), gap=_num(gap[i]), level=level[i],
                    band=band[i], why=why[i], kind=j.benchmark, sample=_num(samples[i]),
                    numerator=_num(numerators[i])) for i in range(len(frame))]


def reasons_for(frame: pd.DataFrame, context: Context, n: int = 3) -> list[list[Verdict]]:
    """Per row, the verdicts of the attention components that raise its index most AND
    whose indicator is judged watch or problem — a component that is merely the lowest
    among good peers is never a reason. Problems first, then by contribution.
    Vectorised: a province's townships are judged in a few milliseconds."""
    from data.indicators import ATTENTION_WEIGHTS
    if context.peers is None:
        context = replace(context, peers=frame)
    rows, parts, scores = len(frame), [], []
    for i, component in enumerate(ATTENTION_WEIGHTS):
        j = judgement_of(COMPONENT_INDICATOR[component], context.table)
        judged = judge_frame(frame, j.key, context)
        column = f"contrib_{component}"
        contrib = (pd.to_numeric(frame[column], errors="coerce").fillna(0.0).to_numpy(dtype=float)
                   if column in frame else np.zeros(rows))
        level = judged["level"].to_numpy(dtype=object)
        bad = np.isin(level, BAD_LEVELS) & (contrib > 0)
        # problems first, then the larger contribution, then the component's order
        scores.append(np.where(bad, (level == PROBLEM) * 1e4 + contrib - i * 1e-6, -np.inf))
        arrays = {c: judged[c].to_numpy(dtype=object) for c in ("benchmark", "gap", "level", "band")}
        parts.append((j, arrays, _column(frame, j.key), _column(frame, j.sample), _column(frame, j.numerator)))
    if not rows:
        return []
    score = np.column_stack(scores)
    order = np.argsort(-score, axis=1, kind="stable")[:, :n]
    out = []
    for pos in range(rows):
        picked = []
        for c in order[pos]:
            if score[pos, c] == -np.inf:
                break
            j, judged, values, samples, numerators = parts[c]
            picked.append(Verdict(j.key, _num(values[pos]), benchmark=_num(judged["benchmark"][pos]),
                                  gap=_num(judged["gap"][pos]), level=judged["level"][pos],
                                  band=judged["band"][pos], why=None, kind=j.benchmark,
                                  sample=_num(samples[pos]), numerator=_num(numerators[pos])))
        out.append(picked)
    return out


def _column(frame: pd.DataFrame, name: str | None) -> np.ndarray:
    """A column as an object array (Nones where the frame has no such column)."""
    if name and name in frame:
        return frame[name].to_numpy(dtype=object)
    return np.full(len(frame), None, dtype=object)


def attention_reasons(row, context: Context, n: int = 3) -> list[Verdict]:
    """`reasons_for` of one row (a dict or Series) against the context's peers."""
    return reasons_for(pd.DataFrame([dict(row)]), context, n)[0]


# ---------------------------------------------------------------- changes

def change_direction(key: str, value, previous, table: Mapping[str, Judgement] | None = None) -> str:
    """'better', 'worse', 'flat' or 'none' (nothing to compare) for the people served.
    A count rising from 0 is a change ("新增 2 条"), not "no comparable data"."""
    from i18n.numbers import SHOWN_ZERO
    j = judgement_of(key, table)
    value, previous = _num(value), _num(previous)
    if value is None or previous is None:
        return "none"
    delta = (value - previous) * (100 if j.unit == "rate" else 1)
    if abs(delta) < (SHOWN_ZERO if j.unit == "rate" else 1e-9):
        return "flat"
    return "better" if (delta > 0) == j.higher_is_better else "worse"


def describe_change(key: str, value, previous, lang: str, *, small: bool = False,
                    table: Mapping[str, Judgement] | None = None) -> dict:
    """{"text", "direction"} of a change from `previous` to `value`: points for rates,
    relative % for counts; a count rising from 0 is "新增 2 条", not "no comparison"; a rate
    on too small a sample (`small`) gets no change at all."""
    from data.indicators import week_on_week_change
    from i18n import t
    from i18n.numbers import format_change, format_value
    j = judgement_of(key, table)
    value, previous = _num(value), _num(previous)
    if small:
        return {"text": t("judge.change.small", lang), "direction": "none"}
    if value is None or previous is None:
        return {"text": t("change.none", lang), "direction": "none"}
    direction = change_direction(key, value, previous, table)
    if j.unit != "rate" and previous == 0 and value == 0:
        return {"text": t("judge.change.same", lang), "direction": "flat"}
    if j.unit != "rate" and previous == 0 and value > 0:
        amount = t(f"judge.amount.{j.unit}", lang, value=format_value(value, j.unit, lang)) \
            if j.unit in ("count", "yuan") else format_value(value, j.unit, lang)
        return {"text": t("judge.change.new", lang, amount=amount), "direction": direction}
    return {"text": format_change(week_on_week_change(value, previous, j.unit), j.unit, lang),
            "direction": direction}


def sentence_value(v: Verdict, lang: str) -> str:
    """A value as a table cell shows it: '79.8%', or its counts '1/2件' when too few."""
    from i18n import t
    from i18n.numbers import format_value
    if v.why == "small_sample":
        return t("judge.counts", lang, num=format_value(v.numerator, "count", lang),
                 den=format_value(v.sample, "count", lang))
    return format_value(v.value, judgement_of(v.key).unit, lang)


# ---------------------------------------------------------------- sentences

def _points(gap: float) -> str:
    return f"{abs(gap) * 100:.1f}"


def sentence(v: Verdict, lang: str, name: str | None = None, table: Mapping[str, Judgement] | None = None,
             *, short: bool = False) -> str:
    """The verdict in words with its numbers: '汝城县资金拨付率 68.5%，落后时序进度（91.2%）
    22.7个百分点'; a small sample is quoted with its counts and 'not judged'. `short`: the
    wall screen's wording of a bad verdict ('拨付率落后时序 22.7 个百分点'), shortened in
    its words, never cut."""
    from i18n import has_key, t
    from i18n.numbers import format_value
    j = judgement_of(v.key, table)
    value = format_value(v.value, j.unit, lang)
    prefix = "judge.short." if short and v.bad else "judge."
    kpi = t(f"judge.short_kpi.{v.key}", lang) if short and has_key(f"judge.short_kpi.{v.key}") else t(f"kpi.{v.key}", lang)
    if v.why == "small_sample":
        text = t("judge.small_sample", lang, kpi=kpi, num=format_value(v.numerator, "count", lang),
                 den=format_value(v.sample, "count", lang), min=j.min_sample)
    elif not v.judged:
        text = t("judge.plain", lang, kpi=kpi, value=value)
    elif v.kind == "zero":
        text = t(f"{prefix}zero.{'bad' if v.bad else 'good'}", lang, kpi=kpi,
                 amount=t(f"judge.amount.{j.unit}", lang, value=value))
    elif v.kind == "peers":
        text = t(f"{prefix}peers.{'bad' if v.bad else 'good'}", lang, kpi=kpi, value=value,
                 bench=format_value(v.benchmark, j.unit, lang), times=f"{(v.gap or 0) + 1:.1f}")
    else:
        side = "bad" if v.bad else "good"
        gap = _points(v.gap or 0) if j.unit == "rate" else f"{abs(v.gap or 0):.1f}"
        kind = v.kind if j.unit == "rate" else f"{v.kind}_plain"
        text = t(f"{prefix}{kind}.{side}", lang, kpi=kpi, value=value,
                 bench=format_value(v.benchmark, j.unit, lang), gap=gap)
    return t("judge.named", lang, name=name, text=text) if name else text


def reason_sentences(reasons, lang: str, n: int | None = None, *, short: bool = False) -> list[str]:
    """A row's `reasons` (its verdicts, see `reasons_for`) as sentences."""
    return [sentence(v, lang, short=short) for v in list(reasons or [])[:n]]


def colours_for(judged: pd.DataFrame, j: Judgement) -> list[str]:
    """One colour per row of a `judge_frame` result: the band's (红/黄/蓝 for
    disbursement), else the level's; grey where nothing was judged."""
    named = {band for band, _, _ in j.bands} <= set(BAND_COLOURS)
    return [BAND_COLOURS[band] if named and band in BAND_COLOURS else colour_of(level)
            for band, level in zip(judged["band"], judged["level"])]


def colour_of(level: str | None) -> str:
    """The one colour of each level (tiles, cells, bars, map bands)."""
    return LEVEL_COLOURS.get(level or "", LEVEL_COLOURS[""])


LEVEL_COLOURS = {PROBLEM: "#c0392b", WATCH: "#e6a23c", GOOD: "#1a9850", "": "#9aa5b1"}
BAND_COLOURS = {"red": "#c0392b", "yellow": "#e6a23c", "blue": "#3b7dd8", GOOD: "#1a9850"}
