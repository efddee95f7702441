"""Every indicator of GLOSSARY.md, with its formula, and the attention index.

Rates are fractions in [0, 1] and are None (never 0, never NaN) when the denominator
is 0: "nothing was due" is not "0 % on time". Functions take scalars or pandas Series
(element-wise, object dtype with None). Inputs are the rollup measures of
data/model/rollups.py; the period is an ISO week unless said otherwise.
`INDICATORS` holds the formulas (zh/en) for tooltips and which direction is bad.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Indicator:
    """An indicator's key, formula text and direction (higher_is_better) and unit."""
    key: str
    formula_zh: str
    formula_en: str
    higher_is_better: bool
    unit: str  # rate (fraction 0..1) | count | per_10k | yuan | index


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def ratio(numerator, denominator):
    """numerator ÷ denominator; None when the denominator is 0, None or NaN."""
    if isinstance(numerator, pd.Series) or isinstance(denominator, pd.Series):
        index = (numerator if isinstance(numerator, pd.Series) else denominator).index
        num = np.asarray(pd.to_numeric(numerator, errors="coerce"), dtype=float)
        den = np.asarray(pd.to_numeric(denominator, errors="coerce"), dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            values = num / den
        ok = (den != 0) & ~np.isnan(values)
        out = np.where(ok, values, None)
        return pd.Series(out, index=index, dtype=object)
    if _missing(numerator) or _missing(denominator) or denominator == 0:
        return None
    return float(numerator) / float(denominator)


def acceptance_rate(accepted, received):
    """受理率 = accepted ÷ received (complaints received in the period)."""
    return ratio(accepted, received)


def on_time_completion_rate(due_on_time, due):
    """按期办结率 = complaints closed by their due date ÷ complaints due in the period.

    Due dates are counted in working days (chinese-calendar) from receipt; a complaint
    is on time when date(closed_at) <= due_date; "due in the period" = due_date in it.
    """
    return ratio(due_on_time, due)


def reply_rate(replied, closed):
    """办结回复率 = closed complaints with a reply ÷ complaints closed in the period."""
    return ratio(replied, closed)


def satisfaction_rate(satisfied, rated):
    """群众满意率 = rated satisfied or very satisfied ÷ rated (closed in the period)."""
    return ratio(satisfied, rated)


def repeat_complaint_rate(repeats, received):
    """重复投诉率 = complaints repeating an earlier one (repeat_of set) ÷ received."""
    return ratio(repeats, received)


def disbursement_rate(paid_ytd, allocated_ytd):
    """资金发放率 = paid ÷ allocated, year to date.

    paid_ytd: paid from 1 Jan to the period end; allocated_ytd: allocations of that
    budget year with allocated_on <= the period end (the year of the week's Sunday).
    """
    return ratio(paid_ytd, allocated_ytd)


def disclosure_on_time_rate(on_time, due):
    """公开及时率 = items published by their due date ÷ items due in the period."""
    return ratio(on_time, due)


def reporting_completeness(villages_reported, villages):
    """数据报送完整率 = villages with >= 1 finance entry in the period ÷ villages."""
    return ratio(villages_reported, villages)


def clue_verification_rate(verified, flagged):
    """线索核查率 = clues verified ÷ clues flagged (cohort of clues flagged in the period)."""
    return ratio(verified, flagged)


def filing_rate(filed, verified):
    """立案率 = clues filed as a case ÷ clues verified (same cohort)."""
    return ratio(filed, verified)


def warning_closure_rate(closed, raised):
    """预警销号率 = warnings closed ÷ warnings raised (in the period)."""
    return ratio(closed, raised)


def complaints_per_10k(received, population):
    """万人投诉量 = complaints received ÷ population × 10,000."""
    if _missing(received):
        return None
    return ratio(received * 10_000, population)


def week_on_week_change(value, previous, unit: str = "count"):
    """环比: rates -> (value − previous) × 100 percentage points;
    counts and amounts -> (value − previous) ÷ previous × 100 %; None if undefined."""
    if _missing(value) or _missing(previous):
        return None
    if unit == "rate":
        return (float(value) - float(previous)) * 100
    return None if previous == 0 else (float(value) - float(previous)) / float(previous) * 100


def _ind(key, zh, en, higher, unit):
    return key, Indicator(key, zh, en, higher, unit)


INDICATORS: dict[str, Indicator] = dict([
    _ind("complaints_received", "本周受理登记的投诉举报件数", "complaints received in the week", False, "count"),
    _ind("acceptance_rate", "受理件数 ÷ 收到件数", "accepted ÷ received", True, "rate"),
    _ind("on_time_completion_rate", "按期办结件数 ÷ 本期到期件数(工作日计)",
         "closed by due date ÷ due in the period (working days)", True, "rate"),
    _ind("reply_rate", "已答复办结件数 ÷ 办结件数", "replied ÷ closed", True, "rate"),
    _ind("satisfaction_rate", "满意及非常满意件数 ÷ 已评价件数",
         "rated satisfied or very satisfied ÷ rated", True, "rate"),
    _ind("repeat_complaint_rate", "重复投诉件数 ÷ 收到件数", "repeat complaints ÷ received", False, "rate"),
    _ind("disbursement_rate_ytd", "年初至期末已发放金额 ÷ 本年截至期末已下达金额",
         "paid since 1 Jan ÷ allocated for the year up to period end", True, "rate"),
    _ind("disclosure_on_time_rate", "按期公开事项数 ÷ 本期应公开事项数",
         "items published by due date ÷ items due", True, "rate"),
    _ind("reporting_completeness", "已报送上一应报月份村级财务的村数 ÷ 村总数",
         "villages that reported the ledger of the month last due ÷ villages", True, "rate"),
    _ind("clue_verification_rate", "已核查线索数 ÷ 发现线索数", "verified ÷ flagged", True, "rate"),
    _ind("filing_rate", "立案线索数 ÷ 已核查线索数", "filed ÷ verified", True, "rate"),
    _ind("warning_closure_rate", "已销号预警数 ÷ 发出预警数", "warnings closed ÷ raised", True, "rate"),
    _ind("complaints_per_10k", "投诉件数 ÷ 常住人口 × 10000", "complaints ÷ population × 10,000", False, "per_10k"),
    _ind("new_clues", "本周新发现问题线索数", "problem clues flagged in the week", False, "count"),
    _ind("new_clue_amount", "本周新线索涉及金额", "amount involved in new clues", False, "yuan"),
    _ind("open_red_warnings", "周末仍未销号的红色预警数", "red warnings still open at week end", False, "count"),
    _ind("overdue_rate", "1 − 按期办结率", "1 − on-time completion rate", False, "rate"),
    _ind("disbursement_lag", "1 − 资金发放率(年初至今)", "1 − disbursement rate (YTD)", False, "rate"),
    _ind("disclosure_lateness", "1 − 公开及时率", "1 − disclosure on-time rate", False, "rate"),
    _ind("attention_index", "各分项在对比地区中的百分位 × 权重之和 × 100",
         "sum of weight × percentile rank among compared regions × 100", False, "index"),
])
INDICATORS["disbursement_rate"] = INDICATORS["disbursement_rate_ytd"]

# Attention index components and weights (sum 1.0): complaint pressure and handling
# weigh most, then money (clues, disbursement), then openness.
ATTENTION_WEIGHTS: dict[str, float] = {
    "complaints_per_10k": 0.20,
    "overdue_rate": 0.20,
    "repeat_complaint_rate": 0.10,
    "new_clues": 0.15,
    "new_clue_amount": 0.10,
    "disbursement_lag": 0.15,
    "disclosure_lateness": 0.10,
}


def percentile_score(values: pd.Series) -> pd.Series:
    """(rank − 1) ÷ (n − 1) with ties at their lowest rank: 0 = lowest, 1 = highest.

    Missing values count as 0 (no evidence of a problem); all-equal values score 0.
    """
    filled = pd.to_numeric(values, errors="coerce").fillna(0.0)
    if len(filled) <= 1:
        return pd.Series(0.0, index=values.index)
    return (filled.rank(method="min") - 1) / (len(filled) - 1)


def attention_index(components: pd.DataFrame) -> pd.DataFrame:
    """关注指数 0–100 = Σ weight_k × percentile_score(component_k) × 100.

    One row per compared region; columns = ATTENTION_WEIGHTS keys (a missing column
    counts as 0). Returns a copy with `contrib_<key>` (points of the index each
    component contributes) and `attention_index`, so the UI can say why a region is hot.
    Monotonic: raising one region's component never lowers its index.
    """
    out = components.copy()
    total = pd.Series(0.0, index=out.index)
    for key, weight in ATTENTION_WEIGHTS.items():
        column = out[key] if key in out else pd.Series(0.0, index=out.index)
        out[f"contrib_{key}"] = 100 * weight * percentile_score(column)
        total += out[f"contrib_{key}"]
    out["attention_index"] = total
    return out
