"""HTML attributes that Dash components take but their signatures do not name."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def html_attrs(attrs: Mapping[str, object]) -> dict[str, Any]:
    """`data-*` / `aria-*` attributes as keywords: `html.Div(..., **html_attrs({"data-page": p}))`.

    Dash renders these wildcard props, but its generated `__init__` signatures list only
    the named ones, so mypy would check a `**{"data-x": ...}` dict against every named
    keyword (`hidden: bool`, `n_clicks: int`, ...). Typed `Any` here, they are not.
    """
    return dict(attrs)


def level_class(level: str | None) -> str:
    """CSS class of a judgement level (data.judgement): problem, watch, good, or none
    when nothing was judged (no colour)."""
    return f"sun-level-{level or 'none'}"
