"""The page state every region/week page resolves the same way (overview, briefing, funds,
screen, complaints): the URL's region and week made concrete, the pickers' options, the
as-of line and the region chip. One implementation, memoized per scope.
"""
from __future__ import annotations

from typing import NamedTuple

from dash import html, no_update

from callbacks.memo import memoized
from components.state import state_href, state_query
from data.calendar import format_week, parse_week
from i18n import t
from runtime import current_scope, get_engine
from views.overview import picker_options, resolve_defaults, with_region


def page_lang(state: dict | None) -> str:
    return (state or {}).get("lang") or "zh-CN"


def resolved_defaults(state: dict | None) -> dict:
    """Region and week to show (views.overview.resolve_defaults), for the user's scope."""
    state = state or {}
    scope = current_scope()
    return memoized("ov.resolve", scope, state.get("region"), state.get("week"),
                    compute=lambda: resolve_defaults(get_engine(), scope, state))


def region_week_options(resolved: dict, lang: str) -> dict:
    """{"regions": [...], "weeks": [...]}: the pickers' options under the resolved root, the
    resolved region among them (views.overview.with_region)."""
    scope = current_scope()
    options = memoized("ov.options", scope, resolved["root"], lang,
                       compute=lambda: picker_options(get_engine(), scope, resolved["root"], lang))
    return {**options, "regions": with_region(options["regions"], resolved.get("region"), resolved.get("region_name"))}


def as_of_text(as_of: str | None, lang: str) -> str:
    """'数据截至 2026-11-15' ('' before any load)."""
    return t("common.as_of", lang, date=as_of) if as_of else ""


def as_of_line(resolved: dict, lang: str) -> list:
    """The as-of text, plus a badge when the dataset is the generated demo."""
    line: list = [as_of_text(resolved.get("as_of"), lang)]
    if resolved.get("demo"):
        line.append(html.Span(t("overview.dataset_demo", lang),
                              className="badge text-bg-warning sun-demo-badge"))
    return line


def region_chip(name: str | None, lang: str) -> str:
    """The page header's '当前区域：…' chip."""
    return t("common.current_region", lang, region=name or "—")


def resolve_state(state: dict | None):
    """(region options, region, week options, week, as-of line, region chip, resolved
    state with its language): the outputs of a page's state-resolving callback."""
    lang = page_lang(state)
    resolved = resolved_defaults(state)
    options = region_week_options(resolved, lang)
    return (options["regions"], resolved["region"], options["weeks"], resolved["week"],
            as_of_line(resolved, lang), region_chip(resolved.get("region_name"), lang), {**resolved, "lang": lang})


class FirstState(NamedTuple):
    """`resolve_state`'s outputs by name, for a page's first view rendered in its layout."""

    region_options: list
    region: str | None
    week_options: list
    week: str | None
    as_of: list
    region_chip: str
    resolved: dict


def first_state(region: str | None, week: str | None, lang: str) -> FirstState:
    """The page state resolved on the server, as the state callback would resolve it."""
    return FirstState(*resolve_state({"region": region, "week": week, "lang": lang}))


def pickers_to_url(region, week, resolved, search):
    """A user's pick becomes the URL (state); the resolved defaults never loop back."""
    if not resolved or (region == resolved.get("region") and week == resolved.get("week")):
        return no_update
    href = state_href("", state_query(search), region=region, week=format_week(parse_week(week)))
    return href or no_update
