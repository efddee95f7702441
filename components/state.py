"""The URL query is the page state: `region`, `week` and `lang`.

Every page's `layout(region=None, week=None, lang=None, **query)` turns the raw query
values into a `PageState` here, and every link of the shell keeps them (`state_href`),
so a shared or bookmarked URL shows exactly the same view. Invalid values never raise:
they become translated messages shown above the page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

from data.codes import InvalidRegionCode, normalize_code
from data.scope import Scope
from i18n import normalize_lang, t

STATE_KEYS = ("region", "week", "lang")
_WEEK_RE = re.compile(r"^(\d{4})-?W?(\d{2})$", re.IGNORECASE)
_MAX_ECHO = 40  # characters of a bad value repeated back in a message


@dataclass(frozen=True)
class PageState:
    """What a page shows: language, 12-digit region, ISO week and problems found.

    region is None when the URL's region is invalid or outside the user's scope;
    week is None when absent (pages then use the latest week) or invalid.
    """

    lang: str
    region: str | None
    week: str | None
    errors: tuple[str, ...] = ()


def _single(value: object) -> str | None:
    """One string from a query value (repeated parameters arrive as a list)."""
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def normalize_week(value: str) -> str:
    """'2026-W46', '2026W46' or '202646' -> '2026-W46'; ValueError when invalid."""
    match = _WEEK_RE.match(value)
    if not match or not 1 <= int(match.group(2)) <= 53:
        raise ValueError(value)
    return f"{match.group(1)}-W{match.group(2)}"


def _check_region(raw: str, scope: tuple[str, ...], lang: str) -> tuple[str | None, str | None]:
    """(12-digit code, None) or (None, translated error) for a region from the URL."""
    shown = raw[:_MAX_ECHO]
    try:
        code = normalize_code(raw)
    except InvalidRegionCode:
        return None, t("error.invalid_region", lang, value=shown)
    if not Scope.of(*scope).allows(code):
        return None, t("error.region_out_of_scope", lang, value=shown)
    return code, None


def parse_state(region: object, week: object, lang: object, settings, scope_codes: tuple[str, ...]) -> PageState:
    """Validate the raw query values against the settings' defaults and the user's scope."""
    lang_value = normalize_lang(_single(lang) or settings.lang)
    errors: list[str] = []
    code, raw_region = None, _single(region) or settings.default_region
    if raw_region:  # none given: pages show the dataset's root region
        code, problem = _check_region(raw_region, scope_codes, lang_value)
        if problem:
            errors.append(problem)
    week_value = _single(week)
    if week_value is not None:
        try:
            week_value = normalize_week(week_value)
        except ValueError:
            errors.append(t("error.invalid_week", lang_value, value=week_value[:_MAX_ECHO]))
            week_value = None
    return PageState(lang=lang_value, region=code, week=week_value, errors=tuple(errors))


def state_query(search: str | None) -> dict[str, str]:
    """The state parameters of a location search string ('?region=..&lang=en')."""
    parsed = parse_qs((search or "").lstrip("?"), keep_blank_values=False)
    return {key: parsed[key][-1] for key in STATE_KEYS if parsed.get(key)}


def state_href(path: str, state: dict[str, str], **overrides: str | None) -> str:
    """`path` with the state query kept; overrides replace (None removes) a key."""
    merged = {**state, **overrides}
    query = {key: merged[key] for key in STATE_KEYS if merged.get(key)}
    return f"{path}?{urlencode(query)}" if query else path


def current_state(region: object = None, week: object = None, lang: object = None) -> PageState:
    """`parse_state` with the running app's settings and user (what page layouts call)."""
    from runtime import current_user, get_settings
    return parse_state(region, week, lang, get_settings(), current_user().scope)
