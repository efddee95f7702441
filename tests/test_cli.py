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
