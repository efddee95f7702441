"""The one place a request gets its services: settings, engine, cache, user, scope, rights,
audit, version.

`app.create_app` puts them on the Flask server (`install`); callbacks, layout helpers and
routes read them through the accessors below, never through module-level globals. Outside
a request (CLI, tests without an app) `get_settings` loads them from the environment.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import flask_login
from flask import Flask, abort, current_app, has_app_context, has_request_context, request
from flask_login import UserMixin

from data import judgement
from data.access import has_right
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
    judgement.configure(settings)  # the floors and 红/黄/蓝 points every judgement uses
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


@dataclass(frozen=True, eq=False)
class SessionUser(UserMixin):
    """The person behind a request: account name, role and jurisdiction (region codes).

    Built by web/auth.py from the account row at every request, so a disabled account, a
    new role or a new jurisdiction applies at once. `stamp` is when the password was set:
    a new password ends every session made with the old one.
    """
    name: str
    role: str
    scope: tuple[str, ...]
    display_name: str = ""
    stamp: str = ""
    must_change_password: bool = False
    via_gateway: bool = False

    def get_id(self) -> str:
        return f"{self.name}{ID_SEPARATOR}{self.stamp}"

    @property
    def is_active(self) -> bool:  # flask-login: NOBODY (no name) is never logged in
        return bool(self.name)


ID_SEPARATOR = "\x1f"
NOBODY = SessionUser(name="", role="", scope=())  # outside a request, or not logged in


def current_user() -> SessionUser:
    """Who is asking (flask-login's user); NOBODY (no role, empty scope) when no one is
    logged in or outside a request: deny by default."""
    if not has_request_context():
        return NOBODY
    user = flask_login.current_user
    return user if isinstance(user, SessionUser) else NOBODY


def current_scope() -> Scope:
    """The region scope of the current user (deny by default: empty sees nothing)."""
    return Scope.of(*current_user().scope)


def may(right: str) -> bool:
    """Whether the current user's role holds `right` (data/access.py)."""
    return has_right(current_user().role, right)


def require(right: str) -> None:
    """HTTP 403 unless the current user's role holds `right`: the server-side check of
    every action (hiding a button is never the protection)."""
    if not may(right):
        abort(403)


def audit_event(action: str, obj: str, *, region_code: str | None = None, detail: dict | None = None,
                user: str | None = None) -> None:
    """One audit_log row for the current request: who, from where, with which scope."""
    from data import audit
    who = current_user()
    with get_engine().begin() as conn:
        audit.record(conn, user=who.name if user is None else user, action=action, obj=obj,
                     region_code=region_code, detail=detail, address=client_address(), scope=who.scope)


def client_address() -> str:
    """Where the request came from (the audit log's "from where"); '' outside a request."""
    return (request.remote_addr or "") if has_request_context() else ""


def data_version() -> str:
    """The running app's dataset stamp (data.model.version): part of every cache key."""
    return _stored_version(get_engine())
