"""Thin callback wiring, plus accessors for what `create_app` put on the Flask server.

Callbacks read inputs, call one or two functions of data/, figures/ or exports/, and
return. They reach the engine, cache and settings through the helpers below (stored on
the server by app.create_app), never through module-level globals.
"""
from __future__ import annotations

from flask import current_app, has_app_context

SETTINGS_KEY = "SUNSHINE_SETTINGS"
ENGINE_KEY = "sunshine_engine"
CACHE_KEY = "sunshine_cache"


def get_settings():
    """Settings of the running app; outside a request, freshly loaded from the env."""
    if has_app_context():
        return current_app.config[SETTINGS_KEY]
    from settings import load_settings
    return load_settings()


def get_engine():
    """The SQLAlchemy engine of the running app (one pool per process)."""
    return current_app.extensions[ENGINE_KEY]


def get_cache():
    """The flask-caching Cache (filesystem, or Redis when REDIS_URL is set).

    Keys of anything derived from data must include the scope (DESIGN.md §6).
    """
    return current_app.extensions[CACHE_KEY]


def current_scope():
    """The region scope of the current user (deny by default: empty sees nothing)."""
    from data.scope import Scope
    return Scope.of(*get_settings().user_scope)


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
            module.register(app)
