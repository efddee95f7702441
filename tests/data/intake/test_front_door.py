"""The demo through the front door: `python cli.py demo` writes the demo as exchange
files and imports them with the import service; the database it gives equals the demo
generated directly, rollups (the clues' handling included), the demo's own tables,
township outlines and dataset keys; its batches are the demo's, so the reporting view
does not take their arrival for a department's. On SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from cli import app
from data.intake.reporting import DUE_DATASETS, reporting_periods, village_reports
from data.model.db import make_engine
from data.scope import Scope
from geo.boundaries import parse_geometry
from tests.support.demo import DEMO_AS_OF, DEMO_COUNTY, DEMO_SEED
from tests.support.intake import rollup_differences
from tests.support.pg import pg_schema, pg_schema_url

SCHEMA = "demo_front_door"
OWN_TABLES = ("beneficiary_identity", "livelihood_project", "demo_truth", "person", "fund_payment",
              "village_ledger", "complaint", "warning", "clue", "clue_event")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def through_the_door(request, tmp_path_factory):
    """(engine, CLI output) of `cli.py demo --scale county` into an empty database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('front_door') / 'demo.db'}"
        yield _run_demo(url)
        return
    with pg_schema(SCHEMA):
        yield _run_demo(pg_schema_url(SCHEMA))


def _run_demo(url: str):
    result = CliRunner().invoke(app, ["demo", "--scale", "county", "--seed", str(DEMO_SEED), "--as-of",
                                      DEMO_AS_OF.isoformat(), "--quiet", "--database-url", url])
    assert result.exit_code == 0, result.output
    return make_engine(url), result.output


def test_the_imported_demo_equals_the_demo_generated_directly(through_the_door, demo_engine):
    engine, output = through_the_door
    assert "10 exchange files" in output and "imported" in output
    with demo_engine.connect() as demo, engine.connect() as conn:
        everything = rollup_differences(demo, conn, skip={})
        assert everything == dict.fromkeys(everything, 0)
        for table in OWN_TABLES:
            assert _count(conn, table) == _count(demo, table) > 0, table
        # the clues' invented handling, event by event
        history = ("SELECT c.rule, c.subject_key, c.status, e.status, e.at FROM clue_event e "
                   "JOIN clue c ON c.id = e.clue_id ORDER BY 1, 2, 5, 4")
        assert _text_rows(conn, history) == _text_rows(demo, history)
        outlines = "SELECT code, source, geometry FROM region_boundary ORDER BY code"
        assert [r[:2] for r in _rows(conn, outlines)] == [r[:2] for r in _rows(demo, outlines)]
        # the demo's own township cells (the boundary import), not cells the regions import drew
        assert _same_shapes(_rows(conn, outlines), _rows(demo, outlines))
        info = "SELECT key, value FROM dataset_info WHERE key IN ('as_of', 'scale', 'seed', 'root_code', 'first_day')"
        assert sorted(_rows(conn, info)) == sorted(_rows(demo, info))


def test_its_batches_are_the_demos_and_not_reports(through_the_door):
    engine, _ = through_the_door
    with engine.connect() as conn:
        kinds = _rows(conn, "SELECT kind, dataset, rows_rejected FROM import_batch ORDER BY id")
        assert [k for k, _, _ in kinds] == ["demo"] * 10 + ["boundary"]
        assert all(rejected == 0 for _, _, rejected in kinds)
        reports = {dataset: village_reports(conn, Scope.of(DEMO_COUNTY), DEMO_COUNTY,
                                            reporting_periods(conn, DEMO_AS_OF, dataset, 1)[0], dataset)
                   for dataset in DUE_DATASETS}
    for dataset in ("village_ledger", "fund_payments"):
        assert reports[dataset]["reported"].sum() > 0 and reports[dataset]["days_late"].isna().all(), dataset
    # a disclosure carries its own publication date: its timeliness is known
    done = reports["disclosures"][reports["disclosures"]["reported"]]
    assert len(done) > 0 and done["days_late"].notna().all()

def _same_shapes(rows_a, rows_b) -> bool:
    return all(parse_geometry(a[2]).equals_exact(parse_geometry(b[2]), 1e-9) for a, b in zip(rows_a, rows_b, strict=True))


def _text_rows(conn, sql: str) -> list[tuple]:
    """Rows with every value as text (PostgreSQL gives dates, SQLite strings)."""
    return [tuple(map(str, r)) for r in _rows(conn, sql)]


def _count(conn, table: str) -> int:
    return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def _rows(conn, sql: str) -> list[tuple]:
    return [tuple(r) for r in conn.execute(text(sql)).all()]
