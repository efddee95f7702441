"""Alembic migrations build exactly the schema of data/model/__init__.py, and upgrading keeps data."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from data.model import metadata
from data.model.db import make_engine
from data.model.migrate import upgrade
from tests.support.pg import pg_schema


def _schema_diff(engine) -> list:
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), metadata)


def _heads() -> set[str]:
    from alembic.script import ScriptDirectory

    from data.model.migrate import alembic_config
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def _current_heads(engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def test_upgrade_builds_the_model_schema_on_sqlite(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    assert _current_heads(engine) == _heads()
    assert _schema_diff(engine) == []
    # rollups are clustered on their key (WITHOUT ROWID), as the model declares
    with engine.connect() as conn:
        sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name='rollup_complaint_tw'")).scalar_one()
    assert "WITHOUT ROWID" in sql.upper()
    engine.dispose()


def test_upgrade_twice_keeps_rows(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'keep.db'}")
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO dataset_info (key, value) VALUES ('probe', 'kept')"))
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM dataset_info WHERE key='probe'")).scalar_one() == "kept"
    engine.dispose()


@pytest.fixture()
def pg_engine():
    with pg_schema("migration_test") as engine:
        yield engine


def test_upgrade_builds_the_model_schema_on_postgresql(pg_engine):
    upgrade(pg_engine)
    assert _current_heads(pg_engine) == _heads()
    assert _schema_diff(pg_engine) == []
    assert "rollup_complaint_tw" in inspect(pg_engine).get_table_names()


def test_importing_data_model_alone_gives_every_table_the_migrations_create(tmp_path):
    """A fresh interpreter that imports only data.model knows every table and index that
    `upgrade` creates: no table is registered as a side effect of importing other code."""
    import json
    import subprocess
    import sys

    from settings import PROJECT_ROOT
    probe = ("import json, data.model as m; print(json.dumps({t.name: sorted(i.name for i in t.indexes) "
             "for t in m.metadata.sorted_tables}))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True,
                         text=True, check=True).stdout
    declared = json.loads(out)
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(engine)
    inspector = inspect(engine)
    created = {name: sorted(i["name"] for i in inspector.get_indexes(name))
               for name in inspector.get_table_names() if name != "alembic_version"}
    engine.dispose()
    assert declared == created
    assert len(declared) >= 38
