"""Login, sessions and the gate: every route refuses without a live session; lockout,
expiry, one-time passwords, rate limit, the identity gateway, Origin check, body limit."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from data import users
from runtime import engine_of
from tests.support.session import PASSWORD, log_in
from web.auth import LOGIN_AT, SEEN, safe_next

ROUTES = ["/", "/map", "/audit", "/_dash-layout", "/_dash-dependencies", "/geo/431023/township.json"]


def _last_actions(server, n: int) -> list[tuple[str, str]]:
    with engine_of(server).connect() as conn:
        rows = conn.execute(text('select "user", action from audit_log order by id desc limit :n'), {"n": n}).all()
    return [tuple(r) for r in rows]


@pytest.mark.parametrize("path", ROUTES)
def test_nothing_without_a_session(auth_server, path):
    client = auth_server().test_client()
    resp = client.get(path)
    if path.startswith(("/_dash", "/geo")):
        assert resp.status_code == 401 and resp.get_json()["error"] == "login_required"
    else:
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    assert client.post("/_dash-update-component", json={}).status_code == 401


def test_login_logout_and_the_audit_trail(auth_server):
    server = auth_server()
    client = server.test_client()
    bad = client.post("/login", data={"name": "b_leader", "password": "wrong one!"})
    assert bad.status_code == 200 and "账号或密码不正确" in bad.get_data(as_text=True)
    assert _last_actions(server, 1) == [("b_leader", "login_failed")]
    ok = client.post("/login", data={"name": "b_leader", "password": PASSWORD, "next": "/funds?region=431023"})
    assert ok.status_code == 302 and ok.headers["Location"] == "/funds?region=431023"
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    assert client.get("/funds").status_code == 200 and client.get("/_dash-layout").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/_dash-layout").status_code == 401
    assert _last_actions(server, 2) == [("b_leader", "logout"), ("b_leader", "login")]


def test_lockout_after_five_failures(auth_server):
    server = auth_server()
    client = server.test_client()
    with engine_of(server).begin() as conn:
        users.reset_password(conn, "b_staff", PASSWORD, actor="tests", one_time=False)  # unlocked, known
    for _ in range(users.MAX_FAILURES):
        last = client.post("/login", data={"name": "b_staff", "password": "not the password"})
    assert "锁定" in last.get_data(as_text=True)
    locked = log_in(client, "b_staff")  # the right password, but locked
    assert locked.status_code == 200 and "锁定" in locked.get_data(as_text=True)
    with engine_of(server).begin() as conn:
        users.reset_password(conn, "b_staff", PASSWORD, actor="tests", one_time=False)


@pytest.mark.parametrize("field, age_s, reason", [(SEEN, 31 * 60, "idle"), (LOGIN_AT, 13 * 3600, "expired")])
def test_idle_and_absolute_expiry(auth_server, field, age_s, reason):
    server = auth_server()
    client = server.test_client()
    assert log_in(client, "b_leader").status_code == 302
    with client.session_transaction() as sess:
        sess[field] = int(time.time()) - age_s
    resp = client.get("/_dash-layout")
    assert resp.status_code == 401 and resp.get_json()["reason"] == reason
    assert client.get("/_dash-layout").status_code == 401  # the session is gone, not just refused once
    assert _last_actions(server, 1)[0][1] == f"session_{reason}"


def test_a_one_time_password_must_be_changed_first(auth_server):
    server = auth_server()
    with engine_of(server).begin() as conn:
        if users.get_user(conn, "otp_user") is None:
            users.add_user(conn, "otp_user", "leader", ["431023"], "one time pass 1", actor="tests", one_time=True)
    client = server.test_client()
    first = client.post("/login", data={"name": "otp_user", "password": "one time pass 1"})
    assert first.headers["Location"] == "/password"
    assert client.get("/").headers["Location"] == "/password"
    assert client.get("/_dash-layout").status_code == 401
    done = client.post("/password", data={"old": "one time pass 1", "new": "my own password", "again": "my own password"})
    assert done.status_code == 302
    assert client.post("/login", data={"name": "otp_user", "password": "my own password"}).headers["Location"] == "/"
    assert client.get("/_dash-layout").status_code == 200


def test_disabled_account_loses_its_session_at_once(auth_server):
    server = auth_server()
    with engine_of(server).begin() as conn:
        if users.get_user(conn, "leaving") is None:
            users.add_user(conn, "leaving", "leader", ["431023"], PASSWORD, actor="tests")
    client = server.test_client()
    assert log_in(client, "leaving").status_code == 302
    with engine_of(server).begin() as conn:
        users.disable_user(conn, "leaving", actor="tests")
    assert client.get("/_dash-layout").status_code == 401


def test_login_is_rate_limited(auth_server):
    client = auth_server(SUNSHINE_LOGIN_RATE="3/minute").test_client()
    codes = [client.post("/login", data={"name": "x", "password": "y"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_gateway_header_only_from_a_trusted_proxy(auth_server):
    client = auth_server(SUNSHINE_AUTH_HEADER="X-Remote-User", SUNSHINE_TRUSTED_PROXIES="10.0.0.2").test_client()
    trusted = client.get("/_dash-layout", headers={"X-Remote-User": "b_leader"},
                         environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert trusted.status_code == 200
    spoofed = client.get("/_dash-layout", headers={"X-Remote-User": "b_leader"},
                         environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert spoofed.status_code == 401
    assert client.get("/login").status_code == 401  # no password login behind the gateway


def test_cross_site_posts_and_big_bodies_are_refused(auth_server):
    client = auth_server(SUNSHINE_MAX_BODY_MB="1").test_client()
    assert client.post("/login", data={"name": "b_leader", "password": PASSWORD},
                       headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.post("/login", data={"name": "b_leader", "password": PASSWORD},
                       headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert log_in(client, "b_leader").status_code == 302
    big = client.post("/_dash-update-component", data=b"x" * (2 * 1024 * 1024), content_type="application/json")
    assert big.status_code == 413


@pytest.mark.parametrize("value, expected", [("/map?region=1", "/map?region=1"), ("//evil.example/x", "/"),
                                             ("https://evil.example", "/"), ("/\\evil", "/"), ("", "/"),
                                             ("javascript:alert(1)", "/")])
def test_next_never_leaves_the_site(value, expected):
    assert safe_next(value) == expected


def test_secret_key_is_random_and_kept(tmp_path):
    from settings import load_settings
    from web.auth import secret_key
    settings = load_settings(env={"SUNSHINE_VAR_DIR": str(tmp_path)})
    first = secret_key(settings)
    assert len(first) == 64 and secret_key(settings) == first
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600
