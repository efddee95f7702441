"""Numbers as users read them: rates in %, counts with separators, money in 万元.

Pure functions used by components, figures and the briefing text alike, so a figure
reads the same on the screen, in a chart and in the drafted narrative.
"""
from __future__ import annotations

import math

from i18n import t


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_value(value, unit: str, lang: str) -> str:
    """A KPI value: rate 0.923 -> '92.3%', count -> '1,234', yuan -> '12.3万元'."""
    if _missing(value):
        return "—"
    if unit == "rate":
        return f"{value * 100:.1f}%"
    if unit == "yuan":
        return t("unit.wan_yuan", lang, value=f"{value / 10000:,.1f}")
    if unit in ("per_10k", "index"):
        return f"{value:,.1f}"
    return f"{value:,.0f}"


SHOWN_ZERO = 0.05  # a change below this prints as 0.0 (one decimal): shown flat, as "±0.0"


def format_change(change, unit: str, lang: str) -> str:
    """A week-on-week change: rates in percentage points, counts in relative %."""
    if _missing(change):
        return t("change.none", lang)
    sign = "±" if abs(change) < SHOWN_ZERO else ("+" if change > 0 else "−")
    if unit == "rate":
        return t("change.points", lang, value=f"{sign}{abs(change):.1f}")
    return f"{sign}{abs(change):.1f}%"


def change_direction(change, higher_is_better: bool) -> str:
    """'better', 'worse' or 'flat' — which way a change goes for the people served."""
    if _missing(change) or abs(change) < SHOWN_ZERO:  # not "▼ −0.0"
        return "flat"
    return "better" if (change > 0) == higher_is_better else "worse"


# Attention-index component -> (column holding the figure to quote, its unit).
# Lags are quoted as the rate itself ("disbursement rate only 61.0%"): easier to read.
REASON_FIGURES = {
    "complaints_per_10k": ("complaints_per_10k", "per_10k"),
    "overdue_rate": ("overdue_rate", "rate"),
    "repeat_complaint_rate": ("repeat_complaint_rate", "rate"),
    "new_clues": ("new_clues", "count"),
    "new_clue_amount": ("new_clue_amount", "yuan"),
    "disbursement_lag": ("disbursement_rate_ytd", "rate"),
    "disclosure_lateness": ("disclosure_on_time_rate", "rate"),
}


def reason_text(component: str, row, lang: str) -> str:
    """Why a region is hot, in words, quoting its figure: '万人投诉量 12.3，在对比地区中偏高'."""
    column, unit = REASON_FIGURES[component]
    value = row.get(column) if hasattr(row, "get") else None
    return t(f"attention.reason.{component}", lang, value=format_value(value, unit, lang))
