"""The one place a request gets its services: settings, engine, cache, user, scope, version.

`app.create_app` puts them on the Flask server (`install`); callbacks, layout helpers and
routes read them through the accessors below, never through module-level globals. Outside
a request (CLI, tests without an app) `get_settings` loads them from the environment.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, current_app, has_app_context, has_request_context, request

from data.model.version import data_version as _stored_version
from data.scope import Scope
from settings import Settings, load_settings

if TYPE_CHECKING:
    from flask_caching import Cache
    from sqlalchemy.engine import Engine

SETTINGS_KEY = "SUNSHINE_SETTINGS"
ENGINE_KEY = "sunshine_engine"
CACHE_KEY = "sunshine_cache"


def install(server: Flask, settings: Settings, engine: Engine, cache: Cache) -> None:
    """Attach this process's services to the server (called once by app.create_app)."""
    server.config[SETTINGS_KEY] = settings
    server.extensions[ENGINE_KEY] = engine
    server.extensions[CACHE_KEY] = cache


def settings_of(server: Flask) -> Settings:
    """The settings `install` put on `server` (for code holding the server, not a request)."""
    return server.config[SETTINGS_KEY]


def engine_of(server: Flask) -> Engine:
    return server.extensions[ENGINE_KEY]


def cache_of(server: Flask) -> Cache:
    return server.extensions[CACHE_KEY]


def get_settings() -> Settings:
    """Settings of the running app; outside an app context, freshly loaded from the env."""
    if has_app_context():
        return settings_of(current_app)
    return load_settings()


def get_engine() -> Engine:
    """The SQLAlchemy engine of the running app (one pool per process)."""
    return engine_of(current_app)


def get_cache() -> Cache:
    """The flask-caching Cache (filesystem, or Redis when REDIS_URL is set).

    Keys of anything derived from data must include the scope (DESIGN.md §6).
    """
    return cache_of(current_app)


def current_scope() -> Scope:
    """The region scope of the current user (deny by default: empty sees nothing)."""
    return Scope.of(*get_settings().user_scope)


def current_user() -> str:
    """Who is asking: the configured operator of this (single-user) deployment.

    Written to the audit log with every sensitive view and export.
    """
    return get_settings().user_name


def client_address() -> str:
    """Where the request came from (the audit log's "from where"); '' outside a request."""
    return (request.remote_addr or "") if has_request_context() else ""


def data_version() -> str:
    """The running app's dataset stamp (data.model.version): part of every cache key."""
    return _stored_version(get_engine())
