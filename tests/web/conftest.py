"""Fixtures of the web-layer tests: an app on the county demo with one account per role."""
from __future__ import annotations

import pytest

from tests.support.session import ROLE_ACCOUNTS, make_user


@pytest.fixture()
def make_server(demo_db_url, tmp_path):
    """server(**env) -> the app's Flask server on the county demo with ROLE_ACCOUNTS."""
    from app import create_app
    from runtime import engine_of
    from settings import load_settings

    def build(**env):
        server = create_app(load_settings(env={"DATABASE_URL": demo_db_url, "SUNSHINE_VAR_DIR": str(tmp_path),
                                               **env})).server
        for role, (name, scope) in ROLE_ACCOUNTS.items():
            make_user(engine_of(server), name, role, scope)
        return server
    return build
