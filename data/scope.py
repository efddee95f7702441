"""Access scope: the region codes a user may see (DESIGN.md §6). Deny by default.

A scope is a set of 12-digit region codes; the user sees each region and everything
under it. Every query function turns the scope into SQL with `scope_condition`, an OR
of `column BETWEEN low AND high` code ranges (index-friendly); an empty scope becomes
`false()`, so it returns nothing rather than everything.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_

from data.codes import InvalidRegionCode, code_range, is_within, normalize_code


class OutOfScope(PermissionError):
    """A region outside the user's scope was requested."""


@dataclass(frozen=True)
class Scope:
    """The regions a user may see (12-digit codes; descendants included)."""
    codes: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *codes: str) -> Scope:
        """Scope from 6- or 12-digit codes; redundant descendants are dropped."""
        normal = {normalize_code(c) for c in codes}
        kept = {c for c in normal if not any(o != c and is_within(c, o) for o in normal)}
        return cls(frozenset(kept))

    def __bool__(self) -> bool:
        return bool(self.codes)

    def home(self, root_code: str | None) -> str | None:
        """Where pages open: the dataset's root region if the user may see it, else the
        user's first region (None for an empty scope)."""
        try:
            root = normalize_code(root_code or "")
        except InvalidRegionCode:
            root = None
        if root and self.allows(root):
            return root
        return sorted(self.codes)[0] if self.codes else None

    def on_path(self, code: str) -> bool:
        """True for a region the scope allows or an ancestor of one of its regions: whose
        outline a map may draw (never an ancestor's other children)."""
        try:
            return self.allows(code) or any(is_within(c, code) for c in self.codes)
        except InvalidRegionCode:
            return False

    def allows(self, code: str) -> bool:
        """True when `code` is one of the scope's regions or under one of them."""
        try:
            return any(is_within(code, c) for c in self.codes)
        except InvalidRegionCode:
            return False


EMPTY = Scope()


def scope_condition(column, scope: Scope) -> ColumnElement[bool]:
    """`column BETWEEN lo1 AND hi1 OR ...` over the scope's code ranges; false() if empty."""
    if not scope.codes:
        return false()
    return or_(*(column.between(*code_range(c)) for c in sorted(scope.codes)))


def ensure_in_scope(code: str, scope: Scope) -> str:
    """Return the 12-digit code, or raise OutOfScope (also for malformed codes)."""
    try:
        normal = normalize_code(code)
    except InvalidRegionCode as exc:
        raise OutOfScope(f"region {code!r} is not visible") from exc
    if not scope.allows(normal):
        raise OutOfScope(f"region {normal} is outside the user's scope")
    return normal


def narrow(scope: Scope, region_code: str) -> Scope:
    """The part of `scope` inside `region_code`.

    The region itself when the scope covers it; the scope's regions under it when the
    scope is finer (a county user asking for the city); empty otherwise.
    """
    try:
        region = normalize_code(region_code)
    except InvalidRegionCode:
        return EMPTY
    if scope.allows(region):
        return Scope(frozenset({region}))
    return Scope(frozenset(c for c in scope.codes if is_within(c, region)))
