"""The words of an exchange file and the values stored for them.

Closed vocabularies (the format's allowed values: levels, channels, directions, ...)
map each accepted word to one stored code ('12345热线' and '热线' -> 'hotline'). Open
vocabularies (categories, departments, matters, warning sources: each county's own
words) map a word the product knows (its Chinese or English catalog label, or the code
itself) to its code, and keep every other word as sent, so a county's own category
'惠民资金' is stored and shown as '惠民资金'.

The export (`export_word`) writes the Chinese word a county would send; importing it
gives back the stored code, which is what makes the demo's round trip exact.
"""
from __future__ import annotations

import functools

import pandas as pd

from i18n import catalog

# dataset, column -> stored code -> the words accepted for it (the first is exported)
CLOSED: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    ("regions", "level"): {
        "province": ("省", "province"), "city": ("市", "city"), "county": ("县", "county"),
        "township": ("乡镇", "township"), "village": ("村", "village")},
    ("fund_programs", "source_level"): {
        "central": ("中央", "central"), "provincial": ("省级", "provincial"),
        "municipal": ("市级", "municipal"), "county": ("县级", "county")},
    ("fund_programs", "standard_period"): {
        "monthly": ("月", "monthly"), "yearly": ("年", "yearly"), "one_off": ("次", "one_off")},
    ("village_ledger", "direction"): {"income": ("收入", "income"), "expense": ("支出", "expense")},
    ("disclosures", "kind"): {
        "finance": ("财务公开",), "village_affairs": ("村务公开",), "party_affairs": ("党务公开",),
        "fund_list": ("惠民资金公开",), "project": ("项目公开",)},
    ("complaints", "channel"): {
        "hotline": ("12345热线", "热线"), "app": ("APP",), "wechat": ("微信",), "photo": ("随手拍",),
        "push_to_talk": ("一键通",), "letter": ("来信",), "visit": ("来访",)},
    ("complaints", "satisfaction"): {
        "very_satisfied": ("非常满意",), "satisfied": ("满意",), "basic": ("基本满意",),
        "unsatisfied": ("不满意",)},
    ("warnings", "level"): {"red": ("红", "red"), "orange": ("橙", "orange"), "yellow": ("黄", "yellow")},
}
CLOSED[("fund_allocations", "source_level")] = CLOSED[("fund_programs", "source_level")]

# dataset, column -> the catalog namespaces whose labels name known codes
OPEN: dict[tuple[str, str], tuple[str, ...]] = {
    ("fund_programs", "category"): ("program_category", "funds.program_category"),
    ("fund_programs", "department"): ("department",),
    ("village_ledger", "category"): ("ledger_category",),
    ("complaints", "category"): ("complaint_category",),
    ("complaints", "department"): ("complaints.department",),
    ("service_requests", "matter"): ("complaints.matter",),
    ("warnings", "source"): ("warning_source",),
}


def stored_values(dataset: str, column: str, words: pd.Series) -> pd.Series:
    """The stored code of each word of a column (open vocabularies keep unknown words)."""
    mapping = _closed_in(dataset, column) or _open_in(dataset, column)
    if not mapping:
        return words
    unique = pd.unique(words)
    codes = {w: mapping.get(_fold(w), w) for w in unique}
    return words.map(codes)


def export_word(dataset: str, column: str, code) -> str:
    """The Chinese word an exchange file carries for a stored code."""
    if code is None or (isinstance(code, float) and pd.isna(code)) or code == "":
        return ""
    closed = CLOSED.get((dataset, column))
    if closed is not None:
        return closed[code][0] if code in closed else str(code)
    zh = catalog("zh-CN")
    for ns in OPEN.get((dataset, column), ()):
        if f"{ns}.{code}" in zh:
            return zh[f"{ns}.{code}"]
    return str(code)


def _fold(word: str) -> str:
    return str(word).strip().lower()


@functools.cache
def _closed_in(dataset: str, column: str) -> dict[str, str]:
    return {_fold(word): code for code, words in CLOSED.get((dataset, column), {}).items() for word in words}


@functools.cache
def _open_in(dataset: str, column: str) -> dict[str, str]:
    """Folded catalog label (Chinese, English) or code -> code, for an open vocabulary."""
    namespaces = OPEN.get((dataset, column), ())
    out: dict[str, str] = {}
    for lang in ("en", "zh-CN"):  # Chinese last: a word both languages use means the Chinese one
        for key, label in catalog(lang).items():
            for ns in namespaces:
                if key.startswith(ns + ".") and "." not in key[len(ns) + 1:]:
                    code = key[len(ns) + 1:]
                    out[_fold(label)] = code
                    out[_fold(code)] = code
    return out
