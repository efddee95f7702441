"""Being someone in a test: callbacks called as functions, HTTP requests, browser tabs.

- `signed_in(server, role=, scope=)`: a request context of `server` in which that user is
  logged in (flask-login), for callbacks and layouts called as plain functions.
- `make_user(engine, name, role, scope)`: an account in the database (fixed password).
- `log_in(client, name)`: a Flask test client with a real session, through POST /login.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from flask_login import login_user

from runtime import SessionUser

PASSWORD = "test password 1234"
PROVINCE = ("430000000000",)
# role -> (account, jurisdiction) made in the test databases that tests sign in to
ROLE_ACCOUNTS = {
    "commission": ("b_commission", PROVINCE), "leader": ("b_leader", PROVINCE),
    "staff": ("b_staff", ("431023000000",)), "data_admin": ("b_data_admin", PROVINCE),
    "auditor": ("b_auditor", ()), "admin": ("b_admin", ()),
    "clue_reader": ("b_clue_reader", ("431023000000",)),
}


@contextlib.contextmanager
def signed_in(server, *, role: str = "commission", scope: tuple[str, ...] = PROVINCE, name: str = "tester",
              path: str = "/", **context) -> Iterator[SessionUser]:
    """A request context of `server` with `name` logged in as `role` over `scope`."""
    user = SessionUser(name=name, role=role, scope=tuple(scope), display_name=name)
    with server.test_request_context(path, **context):
        login_user(user)
        yield user


def make_user(engine, name: str, role: str, scope=PROVINCE, *, password: str = PASSWORD) -> None:
    """Create the account unless it exists (session-wide databases are shared)."""
    from data.users import add_user, get_user
    with engine.begin() as conn:
        if get_user(conn, name) is None:
            add_user(conn, name, role, list(scope), password, actor="tests")


def make_role_accounts(engine) -> None:
    """ROLE_ACCOUNTS in the database (those not there yet)."""
    for role, (name, scope) in ROLE_ACCOUNTS.items():
        make_user(engine, name, role, scope)


def log_in(client, name: str, *, password: str = PASSWORD):
    """POST /login with the client; returns the response (302 on success)."""
    return client.post("/login", data={"name": name, "password": password})


def serve_with_accounts(db_url: str, var_dir, *, production: bool = False):
    """`python app.py` (gunicorn with `production`) on `db_url` with ROLE_ACCOUNTS in its
    database; yields the base URL (a generator for a fixture: `yield from serve_with_accounts(...)`)."""
    import pytest

    from data.model.db import make_engine
    from tools.serve import AppDidNotStart, running_app
    engine = make_engine(db_url)
    make_role_accounts(engine)
    engine.dispose()
    try:
        with running_app(db_url, var_dir, production=production) as url:
            yield url
    except AppDidNotStart as exc:
        pytest.fail(str(exc))
