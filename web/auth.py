"""Who is asking: login, sessions and the gate every request passes (flask-login).

- `/login` (GET form, POST credentials; rate-limited per address), `/logout` (POST),
  `/password` (the user's own change; forced after a one-time password).
- The session cookie is HttpOnly, SameSite=Lax and Secure (unless configured off); a
  session ends after `session_idle_minutes` without a request and `session_max_hours`
  after its login, whichever comes first. The user is re-read from app_user at every
  request, so disabling an account or changing its role or scope applies at once.
- The gate (`before_request`): every path but the login page and static CSS answers
  401 (API, geometry, Dash) or a redirect to /login (pages) without a live session.
- Optional identity gateway (统一身份认证): with `auth_header` set, a request from one of
  `trusted_proxies` is the user its header names; from any other address the header is
  ignored.
Every login, failed login, logout and expiry is written to the audit log.
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from flask import Flask, jsonify, redirect, request, session
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, login_user, logout_user

import runtime
from data import users
from i18n import normalize_lang, t
from runtime import ID_SEPARATOR, SessionUser, audit_event, get_engine, get_settings
from web.login_page import render_login, render_password

PUBLIC_PATHS = frozenset({"/login", "/_favicon.ico"})
PUBLIC_PREFIXES = ("/vendor/", "/assets/")
API_PREFIXES = ("/_dash-", "/geo/", "/_reload-hash")
COOKIE_NAME = "sunshine_session"
LOGIN_REASONS = ("idle", "expired", "logout", "login", "password_changed")
SEEN, LOGIN_AT = "seen", "login_at"


def install_auth(server: Flask) -> None:
    """flask-login, the cookie settings, the gate and the login/logout/password routes."""
    settings = runtime.settings_of(server)
    server.config.update(
        SESSION_COOKIE_NAME=COOKIE_NAME, SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure, SESSION_REFRESH_EACH_REQUEST=True,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(minutes=settings.session_idle_minutes))
    manager = LoginManager(server)
    manager.session_protection = None  # lifetimes are ours (below); "strong" would log out on roaming
    manager.user_loader(load_session_user)
    if settings.auth_header:
        manager.request_loader(gateway_user)
    limiter = Limiter(get_remote_address, app=server, storage_uri=settings.redis_url or "memory://",
                      default_limits=[], headers_enabled=False)
    server.add_url_rule("/login", "login", limiter.limit(settings.login_rate, methods=["POST"])(login_view),
                        methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", logout_view, methods=["POST"])
    server.add_url_rule("/password", "password", password_view, methods=["GET", "POST"])
    server.register_error_handler(429, _too_many)
    server.before_request(gate)


def secret_key(settings) -> str:
    """SECRET_KEY, or a random key made once and kept in var/secret.key (mode 600): a
    known default key would let anyone forge a session cookie."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.var_dir) / "secret.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made before, or by another process just now
        pass
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_text().strip()


# ---------------------------------------------------------------- who the session is

def session_user_of(row: dict, *, via_gateway: bool = False) -> SessionUser:
    return SessionUser(name=row["name"], role=row["role"], scope=tuple(row["scope"] or ()),
                       display_name=row["display_name"] or row["name"], stamp=_stamp(row["password_set_at"]),
                       must_change_password=bool(row["must_change_password"]), via_gateway=via_gateway)


def _stamp(when: dt.datetime | None) -> str:
    return when.isoformat(timespec="seconds") if when else ""


def _active_row(name: str) -> dict | None:
    with get_engine().connect() as conn:
        row = users.get_user(conn, name)
    if row is None or row["disabled"]:
        return None
    return row


def load_session_user(user_id: str) -> SessionUser | None:
    """flask-login's user loader: the account of the session, if it still holds."""
    name, _, stamp = user_id.partition(ID_SEPARATOR)
    row = _active_row(name)
    if row is None or _stamp(row["password_set_at"]) != stamp:
        return None
    return session_user_of(row)


def gateway_user(req) -> SessionUser | None:
    """The identity gateway's user, believed only from a configured proxy address."""
    settings = get_settings()
    name = (req.headers.get(settings.auth_header) or "").strip()
    if not name or req.remote_addr not in settings.trusted_proxies:
        return None
    row = _active_row(name)
    return session_user_of(row, via_gateway=True) if row else None


# ---------------------------------------------------------------- the gate

def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def gate() -> ResponseReturnValue | None:
    """Every request: a live session (or gateway user), else 401 / redirect to /login."""
    if is_public(request.path):
        return None
    user = runtime.current_user()
    if not user.is_authenticated:
        return refuse("login")
    if user.via_gateway:
        _first_gateway_request(user)
        return None
    now = time.time()
    ended = _session_ended(now)
    if ended:
        audit_event("session_" + ended, f"user:{user.name}")
        end_session()
        return refuse(ended)
    session[SEEN] = int(now)
    if user.must_change_password and request.path not in ("/password", "/logout"):
        return refuse("change_password", to="/password")
    return None


def end_session() -> None:
    """Log the user out and drop everything the session cookie held."""
    logout_user()
    session.clear()


def _session_ended(now: float) -> str:
    """'' while the session lives; 'idle' or 'expired' when it has ended."""
    settings = get_settings()
    seen, login_at = session.get(SEEN), session.get(LOGIN_AT)
    if not seen or not login_at:
        return "expired"
    if now - seen > settings.session_idle_minutes * 60:
        return "idle"
    if now - login_at > settings.session_max_hours * 3600:
        return "expired"
    return ""


def _first_gateway_request(user: SessionUser) -> None:
    if session.get("gateway_user") != user.name:
        session["gateway_user"] = user.name
        audit_event("login_gateway", f"user:{user.name}")


def refuse(reason: str, *, to: str = "/login") -> ResponseReturnValue:
    """A page request goes to the login page (coming back here after); anything else
    gets 401 with a reason the page script (assets/session.js) turns into that redirect."""
    if request.method == "GET" and not request.path.startswith(API_PREFIXES):
        return redirect(login_href(reason, request.full_path.rstrip("?")) if to == "/login" else to)
    body = jsonify(error="login_required", reason=reason, login=login_href(reason, None))
    body.status_code = 401
    return body


def login_href(reason: str | None, back: str | None) -> str:
    query = {k: v for k, v in (("reason", reason), ("next", back)) if v}
    return "/login" + (f"?{urlencode(query)}" if query else "")


def safe_next(value: str | None) -> str:
    """Only a path of this site (never '//host' or 'https://...'), else '/'."""
    value = (value or "").strip()
    parts = urlsplit(value)
    if not value.startswith("/") or value.startswith("//") or parts.scheme or parts.netloc or "\\" in value:
        return "/"
    return value


# ---------------------------------------------------------------- views

def _lang() -> str:
    return normalize_lang(request.values.get("lang") or get_settings().lang)


def login_view():
    lang = _lang()
    if get_settings().auth_header:
        return render_login(lang, message=t("auth.gateway_only", lang), form=False), 401
    if request.method != "POST":
        reason = request.args.get("reason", "")
        message = t(f"auth.reason.{reason}", lang) if reason in LOGIN_REASONS else ""
        return render_login(lang, message=message, next_path=safe_next(request.args.get("next")))
    name, password = request.form.get("name", "").strip()[:64], request.form.get("password", "")
    next_path = safe_next(request.form.get("next"))
    with get_engine().begin() as conn:
        outcome = users.check_login(conn, name, password)
    if not outcome.ok or outcome.user is None:
        audit_event("login_failed", f"user:{name}", user=name, detail={"reason": outcome.reason})
        # 200: the form again, with the reason (a browser shows a 4xx page as an error)
        return render_login(lang, message=t(f"auth.failed.{outcome.reason}", lang,
                                            minutes=users.LOCK_MINUTES),
                            next_path=next_path, name=name, error=True)
    session.clear()
    login_user(session_user_of(outcome.user))
    session.permanent = True
    session[LOGIN_AT] = session[SEEN] = int(time.time())
    audit_event("login", f"user:{name}", user=name)
    return redirect("/password" if outcome.user["must_change_password"] else next_path)


def logout_view():
    user = runtime.current_user()
    if user.is_authenticated:
        audit_event("logout", f"user:{user.name}")
    end_session()
    return redirect(login_href("logout", None))


def password_view():
    lang, user = _lang(), runtime.current_user()
    if request.method == "GET":
        return render_password(lang, forced=user.must_change_password)
    old, new = request.form.get("old", ""), request.form.get("new", "")
    if new != request.form.get("again", ""):
        return render_password(lang, forced=user.must_change_password, message=t("auth.password.mismatch", lang)), 400
    try:
        with get_engine().begin() as conn:
            users.change_password(conn, user.name, old, new)
    except users.UserError as exc:
        return render_password(lang, forced=user.must_change_password,
                               message=t("auth.password.rejected", lang, reason=str(exc))), 400
    end_session()  # the new stamp ends this session too: log in with the new password
    return redirect(login_href("password_changed", None))


def _too_many(_exc):
    lang = _lang()
    if request.path == "/login":
        return render_login(lang, message=t("auth.failed.rate", lang), error=True), 429
    return jsonify(error="too_many_requests"), 429
