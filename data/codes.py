"""12-digit statistical division codes: levels, parents and prefix ranges.

province 2 + city 2 + county 2 + township 3 + village 3 digits. Rolling up is a
prefix operation, so every scope and drill filter is a code range
`[prefix000..., prefix999...]`, which uses the code indexes in SQL.
"""
from __future__ import annotations

import re

LEVELS = ("province", "city", "county", "township", "village")
# Number of significant leading digits of a code at each level.
PREFIX_LEN = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}
CHILD_LEVEL = {"province": "city", "city": "county", "county": "township", "township": "village"}
PARENT_LEVEL = {child: parent for parent, child in CHILD_LEVEL.items()}

_CODE_RE = re.compile(r"^\d{6}(\d{6})?$")


class InvalidRegionCode(ValueError):
    """A region code that is neither a 6-digit adcode nor a 12-digit code."""


def normalize_code(code: str | int) -> str:
    """Return the 12-digit code for a 6-digit adcode or a 12-digit code.

    >>> normalize_code("431023")
    '431023000000'
    """
    text = str(code).strip()
    if not _CODE_RE.match(text):
        raise InvalidRegionCode(f"区划代码须为6位或12位数字 / region code must have 6 or 12 digits: {text!r}")
    return text.ljust(12, "0")


def level_of(code: str) -> str:
    """Level of a 12-digit code, from which trailing groups are zero."""
    code = normalize_code(code)
    if code[9:] != "000":
        return "village"
    if code[6:9] != "000":
        return "township"
    if code[4:6] != "00":
        return "county"
    if code[2:4] != "00":
        return "city"
    return "province"


def prefix_of(code: str) -> str:
    """Significant leading digits: the prefix every descendant shares."""
    code = normalize_code(code)
    return code[: PREFIX_LEN[level_of(code)]]


def code_range(code: str) -> tuple[str, str]:
    """Inclusive (low, high) code range of the region and all its descendants."""
    prefix = prefix_of(code)
    return prefix.ljust(12, "0"), prefix.ljust(12, "9")


def ancestor_at(code: str, level: str) -> str:
    """The code of the region's ancestor (or itself) at `level`."""
    code = normalize_code(code)
    return code[: PREFIX_LEN[level]].ljust(12, "0")


def is_within(code: str, ancestor: str) -> bool:
    """True when `code` is `ancestor` or one of its descendants."""
    return normalize_code(code).startswith(prefix_of(ancestor))


def adcode6(code: str) -> str:
    """The 6-digit adcode (province..county) part of a code."""
    return normalize_code(code)[:6]
