"""Accounts: create, change, disable, and check a password with lockout (argon2 hashes).

Every change is written to audit_log by the caller's `actor`. Passwords are never stored
or logged in clear; a failed check says nothing about whether the name exists.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, func, insert, select, update

from data import audit
from data.access import role_of
from data.codes import InvalidRegionCode
from data.model.access import AppUser
from data.scope import Scope

MIN_PASSWORD = 10
MAX_FAILURES = 5                       # failed logins in a row before the account locks
LOCK_MINUTES = 15
_users = AppUser.__table__
_hasher = PasswordHasher()
USER_COLUMNS = ("name", "display_name", "role", "scope", "disabled", "locked_until", "password_set_at",
                "must_change_password")


class UserError(ValueError):
    """A request about accounts that cannot be done (message says why)."""


@dataclass(frozen=True)
class Login:
    """The outcome of a password check: the user's row when it passed, else a reason."""
    ok: bool
    reason: str = ""           # "" | "bad_credentials" | "locked" | "disabled"
    user: dict | None = None


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 32 or any(ch.isspace() for ch in name):
        raise UserError(f"user name must be 1-32 characters without spaces: {name!r}")
    return name


def _check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise UserError(f"password must have at least {MIN_PASSWORD} characters")
    return password


def _scope_codes(role_key: str, codes) -> list[str]:
    """12-digit codes of the jurisdiction; required for a role that sees data."""
    try:
        scope = Scope.of(*[str(c).strip() for c in codes or () if str(c).strip()])
    except InvalidRegionCode as exc:
        raise UserError(f"not a region code: {exc}") from exc
    if role_of(role_key).needs_scope and not scope:
        raise UserError(f"role {role_key!r} needs a jurisdiction (--scope CODE[,CODE])")
    return sorted(scope.codes)


def add_user(conn: Connection, name: str, role: str, scope, password: str, *, actor: str,
             display_name: str = "", one_time: bool = False) -> None:
    """Create an account (UserError for a taken name, bad role, scope or password);
    `one_time`: the password must be changed at the first login."""
    name, role_key = _check_name(name), role_of(role).key
    codes, secret = _scope_codes(role_key, scope), _check_password(password)
    if conn.execute(select(_users.c.id).where(_users.c.name == name)).first():
        raise UserError(f"user {name!r} exists already")
    now = dt.datetime.now()
    conn.execute(insert(_users).values(
        name=name, display_name=display_name or name, role=role_key, scope=codes,
        password_hash=_hasher.hash(secret), disabled=False, failed_logins=0,
        created_at=now, password_set_at=now, must_change_password=one_time))
    audit.record(conn, user=actor, action="user_add", obj=f"user:{name}",
                 detail={"role": role_key, "scope": codes})


def list_users(conn: Connection) -> pd.DataFrame:
    rows = conn.execute(select(*[_users.c[c] for c in USER_COLUMNS]).order_by(_users.c.name)).all()
    return pd.DataFrame(rows, columns=list(USER_COLUMNS))


def get_user(conn: Connection, name: str) -> dict | None:
    row = conn.execute(select(*[_users.c[c] for c in USER_COLUMNS]).where(_users.c.name == name)).first()
    return dict(row._mapping) if row else None


def _change(conn: Connection, name: str, values: dict, *, actor: str, action: str, detail: dict) -> None:
    done = conn.execute(update(_users).where(_users.c.name == name).values(**values)).rowcount
    if not done:
        raise UserError(f"no user {name!r}")
    audit.record(conn, user=actor, action=action, obj=f"user:{name}", detail=detail)


def _existing(conn: Connection, name: str) -> dict:
    user = get_user(conn, name)
    if user is None:
        raise UserError(f"no user {name!r}")
    return user


def set_role(conn: Connection, name: str, role: str, *, actor: str) -> None:
    user = _existing(conn, name)
    role_key = role_of(role).key
    _scope_codes(role_key, user["scope"])  # the new role must fit the jurisdiction
    _change(conn, name, {"role": role_key}, actor=actor, action="user_set_role", detail={"role": role_key})


def set_scope(conn: Connection, name: str, scope, *, actor: str) -> None:
    codes = _scope_codes(_existing(conn, name)["role"], scope)
    _change(conn, name, {"scope": codes}, actor=actor, action="user_set_scope", detail={"scope": codes})


def disable_user(conn: Connection, name: str, *, actor: str) -> None:
    _change(conn, name, {"disabled": True}, actor=actor, action="user_disable", detail={})


def _password_values(password: str, *, one_time: bool) -> dict:
    return {"password_hash": _hasher.hash(_check_password(password)), "failed_logins": 0,
            "locked_until": None, "password_set_at": dt.datetime.now(), "must_change_password": one_time}


def reset_password(conn: Connection, name: str, password: str, *, actor: str, one_time: bool = True) -> None:
    """A new password set by an administrator (to be changed at the next login, unless
    `one_time` is False); also lifts a lockout. Sessions made with the old one end."""
    _change(conn, name, _password_values(password, one_time=one_time), actor=actor,
            action="user_reset_password", detail={"one_time": one_time})


def change_password(conn: Connection, name: str, old: str, new: str) -> None:
    """The user's own change: the old password must verify and the new one differ."""
    if old == new:
        raise UserError("the new password must differ from the old one")
    row = conn.execute(select(_users.c.password_hash).where(_users.c.name == name)).first()
    try:
        _hasher.verify(row.password_hash if row else "", old or "")
    except (VerificationError, InvalidHashError) as exc:
        raise UserError("the old password is wrong") from exc
    _change(conn, name, _password_values(new, one_time=False), actor=name,
            action="user_change_password", detail={})


def check_login(conn: Connection, name: str, password: str, *, now: dt.datetime | None = None) -> Login:
    """Verify a password, counting failures: MAX_FAILURES in a row lock the account for
    LOCK_MINUTES. Unknown names cost one hash too, so timing does not tell them apart."""
    now = now or dt.datetime.now()
    row = conn.execute(select(_users).where(_users.c.name == (name or "").strip())).first()
    if row is None:
        _hasher.hash(password or "x")
        return Login(False, "bad_credentials")
    user = row._mapping
    if user["disabled"]:
        return Login(False, "disabled")
    if user["locked_until"] and user["locked_until"] > now:
        return Login(False, "locked")
    try:
        _hasher.verify(user["password_hash"], password or "")
    except (VerificationError, InvalidHashError):
        return _failed(conn, user, now)
    conn.execute(update(_users).where(_users.c.id == user["id"]).values(failed_logins=0, locked_until=None))
    return Login(True, user={c: user[c] for c in USER_COLUMNS})


def _failed(conn: Connection, user, now: dt.datetime) -> Login:
    failures = user["failed_logins"] + 1
    locked = now + dt.timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
    conn.execute(update(_users).where(_users.c.id == user["id"]).values(
        failed_logins=0 if locked else failures, locked_until=locked))
    return Login(False, "locked" if locked else "bad_credentials")


def count_users(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(_users)).scalar_one())


DEMO_PREFIX = "demo_"
DEMO_ACCOUNTS_KEY = "demo_accounts"  # dataset_info: the demo accounts exist (the login page says so)


def demo_jurisdictions(conn: Connection, root_code: str) -> dict[str, list[str]]:
    """Role -> scope of the demo accounts: the dataset's root region for most; staff get
    the first region below it that holds villages (to show a narrower jurisdiction; the
    base tree's other counties hold none), and so does the clue reader (a county
    commission's clerk); auditor and admin none."""
    from data.codes import CHILD_LEVEL, PREFIX_LEN, code_range, level_of
    from data.model.schema import Region
    region = Region.__table__
    lo, hi = code_range(root_code)
    digits = PREFIX_LEN[CHILD_LEVEL.get(level_of(root_code), "village")]
    village = region.alias("village")
    populated = select(village.c.code).where(village.c.level == "village", village.c.code.between(lo, hi),
                                             func.substr(village.c.code, 1, digits)
                                             == func.substr(region.c.code, 1, digits))
    county = conn.execute(select(region.c.code).where(region.c.parent_code == root_code, populated.exists())
                          .order_by(region.c.code).limit(1)).scalar()
    staff = county if county else root_code
    return {"leader": [root_code], "commission": [root_code], "staff": [staff], "clue_reader": [staff],
            "data_admin": [root_code], "auditor": [], "admin": []}


def create_demo_accounts(conn: Connection, root_code: str, *, actor: str) -> list[tuple[str, str, str]]:
    """One account per role (demo_leader ...), each with a random one-time password that
    must be changed at first login; returns (name, role, password) to print once."""
    import secrets
    made = []
    for role, scope in demo_jurisdictions(conn, root_code).items():
        name, password = f"{DEMO_PREFIX}{role}", secrets.token_urlsafe(9)
        add_user(conn, name, role, scope, password, actor=actor, one_time=True,
                 display_name=f"演示·{name.removeprefix(DEMO_PREFIX)}")
        made.append((name, role, password))
    return made
