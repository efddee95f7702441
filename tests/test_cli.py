"""The account commands of cli.py, as an administrator runs them."""
from __future__ import annotations

from typer.testing import CliRunner

from cli import app


def _run(db, *args, stdin=None):
    return CliRunner().invoke(app, [*args, "--database-url", db], input=stdin)


def test_users_add_list_set_and_disable(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    out = _run(db, "users", "add", "li", "--role", "leader", "--scope", "431000,431023",
               "--password-stdin", stdin="a long enough secret\n")
    assert out.exit_code == 0, out.output
    listed = _run(db, "users", "list")
    assert listed.exit_code == 0 and "li" in listed.output and "431000000000" in listed.output
    assert "argon2" not in listed.output and "secret" not in listed.output
    assert _run(db, "users", "set-role", "li", "staff").exit_code == 0
    assert _run(db, "users", "set-scope", "li", "431023").exit_code == 0
    assert _run(db, "users", "disable", "li").exit_code == 0
    assert "staff" in _run(db, "users", "list").output


def test_refusals_exit_1_with_the_reason(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    bad_role = _run(db, "users", "add", "x", "--role", "root", "--scope", "431023",
                    "--password-stdin", stdin="a long enough secret\n")
    assert bad_role.exit_code == 1 and "unknown role" in bad_role.output
    no_stdin = _run(db, "users", "add", "x", "--role", "leader", "--scope", "431023")
    assert no_stdin.exit_code != 0
    assert _run(db, "users", "disable", "ghost").exit_code == 1


def test_ensure_demo_makes_one_account_per_role_once(tmp_path):
    """On a demo database without accounts: one per role, one-time passwords printed once;
    the login page then says it is a demo."""
    import re

    from sqlalchemy import insert

    from data.access import ROLES
    from data.model.db import make_engine
    from data.model.migrate import upgrade
    from data.model.schema import DatasetInfo, Region
    from data.users import check_login
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(insert(Region.__table__), [
            {"code": "431000000000", "name": "郴州市", "level": "city", "parent_code": "430000000000"},
            {"code": "431023000000", "name": "永兴县", "level": "county", "parent_code": "431000000000"},
            {"code": "431023100000", "name": "马岭镇", "level": "township", "parent_code": "431023000000"},
            {"code": "431023100201", "name": "示例村", "level": "village", "parent_code": "431023100000"}])
        conn.execute(insert(DatasetInfo.__table__), [{"key": "scale", "value": "city"},
                                                      {"key": "root_code", "value": "431000000000"}])
    first = CliRunner().invoke(app, ["ensure-demo", "--database-url", url])
    assert first.exit_code == 0, first.output
    printed = dict(re.findall(r"^\s+(demo_\w+)\s+\w+\s+(\S+)$", first.output, flags=re.M))
    assert sorted(printed) == sorted(f"demo_{role}" for role in ROLES)
    with engine.begin() as conn:
        login = check_login(conn, "demo_staff", printed["demo_staff"])
    assert login.ok and login.user["must_change_password"] and login.user["scope"] == ["431023000000"]
    again = CliRunner().invoke(app, ["ensure-demo", "--database-url", url])
    assert again.exit_code == 0 and "demo_" not in again.output
    engine.dispose()
    from app import create_app
    from settings import load_settings
    server = create_app(load_settings(env={"DATABASE_URL": url, "SUNSHINE_VAR_DIR": str(tmp_path)})).server
    assert "演示环境" in server.test_client().get("/login").get_data(as_text=True)
