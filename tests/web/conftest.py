"""Fixtures of the web-layer tests: an app with one account per role.

- `make_server(**env)`: the app on the county demo (SQLite).
- `auth_server(**env)`: the same on SQLite and, as a second parameter, on an empty
  PostgreSQL schema (skipped with the reason when no server answers): sessions, accounts
  and the audit trail need no data.
"""
from __future__ import annotations

import pytest

from tests.support.pg import pg_schema, pg_schema_url
from tests.support.session import make_role_accounts


def _factory(db_url: str, var_dir):
    from app import create_app
    from runtime import engine_of
    from settings import load_settings

    def build(**env):
        server = create_app(load_settings(env={"DATABASE_URL": db_url, "SUNSHINE_VAR_DIR": str(var_dir),
                                               **env})).server
        make_role_accounts(engine_of(server))
        return server
    return build


@pytest.fixture()
def make_server(demo_db_url, tmp_path):
    return _factory(demo_db_url, tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def auth_server(request, demo_db_url, tmp_path):
    if request.param == "sqlite":
        yield _factory(demo_db_url, tmp_path)
        return
    from data.model.migrate import upgrade
    with pg_schema("web_auth_test") as engine:
        upgrade(engine)
        yield _factory(pg_schema_url("web_auth_test"), tmp_path)
