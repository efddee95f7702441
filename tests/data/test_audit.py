"""The audit log is a hash chain: verify passes on the log as written and finds an edited
or deleted row, on SQLite and PostgreSQL; `cli.py audit verify` exits 1 then."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from data import audit
from data.model.migrate import upgrade
from tests.support.pg import pg_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        from data.model.db import make_engine
        eng = make_engine(f"sqlite:///{tmp_path / 'audit.db'}")
        upgrade(eng)
        yield eng
        eng.dispose()
    else:
        with pg_schema("audit_chain_test") as eng:
            upgrade(eng)
            yield eng


def _write(engine, n: int) -> None:
    with engine.begin() as conn:
        for i in range(n):
            audit.record(conn, user="张三", action="records_view", obj=f"records:complaints:{i}",
                         region_code="431023000000", detail={"i": i, "filters": {"category": "交通"}},
                         address="127.0.0.1", scope=["431023000000"])


def test_a_whole_chain_verifies(engine):
    _write(engine, 5)
    with engine.connect() as conn:
        check = audit.verify(conn)
    assert check.ok and check.rows == 5 and len(check.last_hash or "") == 64


@pytest.mark.parametrize("tamper, reason", [
    ("UPDATE audit_log SET \"user\" = 'someone' WHERE id = 3", "row changed"),
    ("DELETE FROM audit_log WHERE id = 3", "previous row missing or changed"),
])
def test_an_edited_or_deleted_row_breaks_the_chain(engine, tamper, reason):
    _write(engine, 5)
    with engine.begin() as conn:
        conn.execute(text(tamper))
    with engine.connect() as conn:
        check = audit.verify(conn)
    assert not check.ok and check.broken[0]["reason"] == reason and check.broken[0]["id"] in (3, 4)


def test_cli_audit_verify(tmp_path):
    from typer.testing import CliRunner

    import cli
    from data.model.db import make_engine
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    eng = make_engine(url)
    upgrade(eng)
    _write(eng, 3)
    ok = CliRunner().invoke(cli.app, ["audit", "verify", "--database-url", url])
    assert ok.exit_code == 0 and "3 rows" in ok.output
    with eng.begin() as conn:
        conn.execute(text("UPDATE audit_log SET detail = '{}' WHERE id = 2"))
    broken = CliRunner().invoke(cli.app, ["audit", "verify", "--database-url", url])
    assert broken.exit_code == 1 and "row 2" in broken.output
    eng.dispose()


def test_the_migration_chains_rows_written_before_it(tmp_path):
    from data.model.db import make_engine
    eng = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(eng, "0007")
    with eng.begin() as conn:
        conn.execute(text("INSERT INTO audit_log (at, \"user\", action, object, detail) "
                          "VALUES ('2026-11-30 10:00:00', 'demo', 'export_csv', 'records:x', '{}')"))
    upgrade(eng)
    _write(eng, 2)
    with eng.connect() as conn:
        assert audit.verify(conn).ok and audit.verify(conn).rows == 3
    eng.dispose()
