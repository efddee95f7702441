"""Accounts: argon2 hashes, jurisdiction checks, lockout, and an audit row for every change."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from data.model.db import make_engine
from data.model.migrate import upgrade
from data.users import (
    LOCK_MINUTES,
    MAX_FAILURES,
    UserError,
    add_user,
    check_login,
    disable_user,
    get_user,
    list_users,
    reset_password,
    set_role,
    set_scope,
)
from tests.support.pg import pg_schema

PASSWORD = "correct horse battery"


@pytest.fixture()
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'users.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def _add(engine, name="zhang", role="commission", scope=("431023",), password=PASSWORD):
    with engine.begin() as conn:
        add_user(conn, name, role, list(scope), password, actor="test")


def test_password_is_stored_as_argon2_and_never_in_clear(engine):
    _add(engine)
    with engine.connect() as conn:
        stored = conn.execute(text("select password_hash, scope from app_user")).one()
        audit = " ".join(str(r) for r in conn.execute(text("select * from audit_log")).all())
    assert stored[0].startswith("$argon2id$") and PASSWORD not in stored[0]
    assert PASSWORD not in audit and "user_add" in audit
    assert get_user(engine.connect(), "zhang")["scope"] == ["431023000000"]


def test_login_checks_the_password_and_locks_after_repeated_failures(engine):
    _add(engine)
    now = dt.datetime(2026, 12, 2, 9, 0)
    with engine.begin() as conn:
        assert check_login(conn, "zhang", PASSWORD, now=now).ok
        assert check_login(conn, "nobody", PASSWORD, now=now).reason == "bad_credentials"
        reasons = [check_login(conn, "zhang", "wrong password!", now=now).reason for _ in range(MAX_FAILURES)]
        assert reasons == ["bad_credentials"] * (MAX_FAILURES - 1) + ["locked"]
        assert check_login(conn, "zhang", PASSWORD, now=now).reason == "locked"  # right password, still locked
        later = now + dt.timedelta(minutes=LOCK_MINUTES, seconds=1)
        assert check_login(conn, "zhang", PASSWORD, now=later).ok


def test_reset_lifts_the_lock_and_disable_refuses_login(engine):
    _add(engine)
    with engine.begin() as conn:
        for _ in range(MAX_FAILURES):
            check_login(conn, "zhang", "wrong password!")
        reset_password(conn, "zhang", "another long secret", actor="admin")
        assert check_login(conn, "zhang", "another long secret").ok
        disable_user(conn, "zhang", actor="admin")
        assert check_login(conn, "zhang", "another long secret").reason == "disabled"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"role": "root"}, "unknown role"),
    ({"scope": ()}, "needs a jurisdiction"),
    ({"scope": ("43102",)}, "not a region code"),
    ({"password": "short"}, "at least"),
    ({"name": "two words"}, "without spaces"),
])
def test_bad_requests_are_refused_with_the_reason(engine, kwargs, message):
    with pytest.raises(ValueError, match=message):
        _add(engine, **kwargs)
    assert list_users(engine.connect()).empty


def test_changes_are_audited_and_a_taken_name_is_refused(engine):
    _add(engine)
    _add(engine, name="audit1", role="auditor", scope=())
    with engine.begin() as conn:
        set_role(conn, "zhang", "staff", actor="admin")
        set_scope(conn, "zhang", ["431000", "431023"], actor="admin")
        with pytest.raises(UserError, match="exists"):
            add_user(conn, "zhang", "leader", ["431023"], PASSWORD, actor="admin")
        with pytest.raises(UserError, match="no user"):
            disable_user(conn, "ghost", actor="admin")
        with pytest.raises(UserError, match="jurisdiction"):
            set_role(conn, "audit1", "leader", actor="admin")  # an auditor has no jurisdiction
        actions = [r[0] for r in conn.execute(text("select action from audit_log order by id"))]
    assert actions == ["user_add", "user_add", "user_set_role", "user_set_scope"]
    user = get_user(engine.connect(), "zhang")
    assert user["role"] == "staff" and user["scope"] == ["431000000000"]  # 431023 lies inside 431000


def test_accounts_work_on_postgresql():
    with pg_schema("users_test") as engine:
        upgrade(engine)
        _add(engine)
        with engine.begin() as conn:
            assert check_login(conn, "zhang", PASSWORD).ok
            assert not check_login(conn, "zhang", "wrong password!").ok
