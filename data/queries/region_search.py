"""Finding a place by what a person types: a name, the first digits of a code, or pinyin initials.

The navbar's and every region picker's search box (issue #15) call `search_regions`. A hit
is a region in the user's scope (applied in SQL, data.scope) whose name contains the
text, whose code starts with the digits typed, or whose pinyin initials start with the
letters typed ("lwx" finds 临武县). Each hit carries the names of its two nearest
ancestors ("云洞村 · 碧塘乡 · 永兴县"), so villages of the same name are told apart; an
ancestor's name is context only (a region the user may see lies under it), never a hit.

Pinyin initials are made once per scope and data version, not per keystroke: the
caller builds an `InitialsIndex` with `initials_index` and keeps it (callbacks/search.py
memoizes it by scope and data version); without one, `search_regions` builds it itself.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin
from sqlalchemy import case, literal, or_, select

from data.codes import LEVELS
from data.model.schema import Region
from data.scope import Scope, narrow, scope_condition

MAX_TEXT = 40      # characters of a search text that are used
MAX_LIMIT = 100    # hits one search may return
_LETTERS = re.compile(r"^[a-z]+$")
_region = Region.__table__


@dataclass(frozen=True)
class RegionHit:
    """One place found: its code, name, level, its ancestors' names (nearest first) and
    the pinyin initials of its name."""
    code: str
    name: str
    level: str
    parents: tuple[str, ...] = ()
    initials: str = ""


@dataclass(frozen=True)
class InitialsIndex:
    """The pinyin initials of every region of one scope, one 'initials<TAB>code' line each,
    in result order (higher levels first, then code). One string: it leaves a cache in
    well under a millisecond and a prefix scan over 30,000 lines takes a few."""
    lines: str = ""

    def codes(self, letters: str, limit: int) -> list[str]:
        """Codes (in result order) whose initials start with `letters`, at most `limit`."""
        if not letters or not self.lines:
            return []
        pattern = re.compile(rf"^{re.escape(letters)}[^\t\n]*\t(\d+)$", re.MULTILINE)
        found = []
        for match in pattern.finditer(self.lines):
            found.append(match.group(1))
            if len(found) >= limit:
                break
        return found


def pinyin_initials(name: str) -> str:
    """'临武县' -> 'lwx' (pypinyin's reading in context; letters and digits kept, lower case)."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower().replace("\t", "").replace("\n", "")


def search_area(scope: Scope, root_code: str | None) -> Scope:
    """The part of `scope` searched: inside the dataset's root (the rest of China's division
    tree is there for imports, not for the pages), unless the scope lies wholly outside it."""
    if not root_code:
        return scope
    return narrow(scope, root_code) or scope


def _level_rank():
    return case(*((_region.c.level == lvl, i) for i, lvl in enumerate(LEVELS)), else_=len(LEVELS))


def initials_index(conn, scope: Scope, *, root_code: str | None = None) -> InitialsIndex:
    """The initials of every region in the search area of `scope` (search_area)."""
    area = search_area(scope, root_code)
    stmt = (select(_region.c.code, _region.c.name)
            .where(scope_condition(_region.c.code, area))
            .order_by(_level_rank(), _region.c.code))
    lines = [f"{pinyin_initials(name)}\t{code}" for code, name in conn.execute(stmt)]
    return InitialsIndex("\n".join(lines))


def clean_text(text: object) -> str:
    """The search text as used: a string without spaces, at most MAX_TEXT characters."""
    return "".join(str(text or "").split())[:MAX_TEXT]


def search_regions(conn, scope: Scope, text: object, limit: int = 20, *, root_code: str | None = None,
                   initials: InitialsIndex | None = None) -> list[RegionHit]:
    """Places of the user's scope matching `text` (name contains it, code starts with its
    digits, pinyin initials start with its letters), at most `limit` (1..MAX_LIMIT).

    Order: exact name first, then by level (province first), then code. Empty text: none.
    `initials` is `initials_index(conn, scope, root_code=root_code)`, built here when None.
    """
    text, limit = clean_text(text), max(1, min(int(limit), MAX_LIMIT))
    if not text or not scope:
        return []
    area = search_area(scope, root_code)
    matches = [_region.c.name.contains(text, autoescape=True)]
    if text.isdigit():
        matches.append(_region.c.code.between(text[:12].ljust(12, "0"), text[:12].ljust(12, "9")))
    letters = text.lower()
    if _LETTERS.match(letters):
        index = initials if initials is not None else initials_index(conn, scope, root_code=root_code)
        codes = index.codes(letters, limit)  # the first `limit` in result order suffice
        if codes:
            matches.append(_region.c.code.in_(codes))
    return _hits(conn, area, text, matches, limit)


def _hits(conn, area: Scope, text: str, matches: list, limit: int) -> list[RegionHit]:
    """The matching regions of `area`, ordered, each with its two nearest ancestors' names."""
    parent, grand = _region.alias("parent"), _region.alias("grand")
    exact = case((_region.c.name == text, literal(0)), else_=literal(1))
    stmt = (select(_region.c.code, _region.c.name, _region.c.level, parent.c.name, grand.c.name)
            .select_from(_region.outerjoin(parent, parent.c.code == _region.c.parent_code)
                         .outerjoin(grand, grand.c.code == parent.c.parent_code))
            .where(scope_condition(_region.c.code, area), or_(*matches))
            .order_by(exact, _level_rank(), _region.c.code)
            .limit(limit))
    return [RegionHit(code, name, level, tuple(p for p in (p1, p2) if p), pinyin_initials(name))
            for code, name, level, p1, p2 in conn.execute(stmt)]
