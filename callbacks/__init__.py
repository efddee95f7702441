"""Thin callback wiring: one module per page (and the shell's), each with `register(app)`.

Callbacks read inputs, call one or two functions of views/, figures/ or exports/, and
return. They reach the engine, cache, settings and scope through `runtime`, never through
module-level globals.

Rights: each module names the right its callbacks need (`RIGHT`, from data/access.py;
None: any logged-in user). Every server-side callback a module registers is wrapped so
that the right is checked on the server before it runs (403 otherwise), whatever the
browser sends; a module without RIGHT cannot register (deny by default).
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from runtime import require


class GuardedApp:
    """The Dash app as a callback module sees it: `callback` checks `right` first."""

    def __init__(self, app, right: str | None):
        self._app, self._right = app, right

    def callback(self, *args: Any, **kwargs: Any) -> Callable:
        register = self._app.callback(*args, **kwargs)
        return lambda func: register(guarded(func, self._right))

    def __getattr__(self, name: str) -> Any:  # clientside_callback, server ...
        return getattr(self._app, name)


def guarded(func: Callable, right: str | None) -> Callable:
    """`func`, refusing with 403 when the user lacks `right` (the gate refused the
    anonymous already; this is the role check)."""
    @functools.wraps(func)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if right is not None:
            require(right)
        return func(*args, **kwargs)
    checked.required_right = right  # type: ignore[attr-defined]  # read by the role x action matrix test
    return checked


def register_callbacks(app) -> None:
    """Attach every callback module to `app` (called once by app.create_app).

    Each module of this package with a `register(app)` function is one page's (or the
    shell's) wiring; they are found by name so that pages can be added independently.
    """
    import importlib
    import pkgutil

    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        if callable(getattr(module, "register", None)):
            if not hasattr(module, "RIGHT"):
                raise TypeError(f"{module.__name__} registers callbacks but names no RIGHT")
            module.register(GuardedApp(app, module.RIGHT))
