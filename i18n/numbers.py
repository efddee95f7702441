"""Numbers as users read them: rates in %, counts with separators, money in 万元.

Pure functions used by components, figures and the briefing text alike, so a figure
reads the same on the screen, in a chart and in the drafted narrative.
"""
from __future__ import annotations

import math

from i18n import t


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


# (lower bound, divisor, catalog key) of amounts, largest first: the unit is chosen by size
AMOUNT_STEPS = {
    "zh-CN": ((1e8, 1e8, "unit.yi_yuan"), (1e4, 1e4, "unit.wan_yuan"), (0, 1, "unit.yuan")),
    "en": ((1e9, 1e9, "unit.billion_yuan"), (1e6, 1e6, "unit.million_yuan"), (0, 1, "unit.yuan")),
}


def format_amount(value, lang: str) -> str:
    """Money by size: '8,500元', '1.6万元', '2.35亿元'; in English '8,500 yuan',
    '1.60 million yuan'. Never a unit multiplied twice ("20k 万元")."""
    if _missing(value):
        return "—"
    for floor, divisor, key in AMOUNT_STEPS["en" if lang == "en" else "zh-CN"]:
        if abs(value) >= floor:
            scaled = value / divisor
            if divisor == 1:
                text = f"{scaled:,.0f}"
            elif divisor >= 1e8:
                text = f"{scaled:,.2f}"
            else:
                text = f"{scaled:,.1f}" if lang != "en" else f"{scaled:,.2f}"
            return t(key, lang, value=text)
    return t("unit.yuan", lang, value=f"{value:,.0f}")


def format_value(value, unit: str, lang: str) -> str:
    """A KPI value: rate 0.923 -> '92.3%', count -> '1,234', yuan -> format_amount."""
    if _missing(value):
        return "—"
    if unit == "rate":
        return f"{value * 100:.1f}%"
    if unit == "yuan":
        return format_amount(value, lang)
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
