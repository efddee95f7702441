"""Loading exchange files: the county demo exported and imported into an empty database
gives every rollup of the demo loaded directly, to the cent; the same files again change
nothing; a changed row is an update whose previous version an undo puts back; an import
killed half-way leaves the database as it was. On SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from data.intake.base import prepare_database
from data.intake.service import UndoRefused, import_paths, undo
from data.model.schema import Complaint, ImportBatch, RejectedRow, ReplacedRow
from tests.support.intake import empty_engine, export_demo, rollup_differences, row_counts
from tests.support.pg import pg_schema

ROOT = Path(__file__).resolve().parents[3]
USER = "test:intake"


@pytest.fixture(scope="module")
def exchange_dir(demo_engine, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("exchange")
    export_demo(demo_engine, folder)
    return folder


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def imported(request, exchange_dir, tmp_path_factory):
    """(engine, reports) of the county demo's exchange files imported into an empty database."""
    if request.param == "sqlite":
        engine = empty_engine(f"sqlite:///{tmp_path_factory.mktemp('imported') / 'i.db'}")
        yield engine, import_paths(engine, [exchange_dir], user=USER)
        engine.dispose()
        return
    with pg_schema("intake_round_trip") as engine:
        prepare_database(engine)
        yield engine, import_paths(engine, [exchange_dir], user=USER)


def test_every_file_loads_whole(imported, exchange_dir):
    _, reports = imported
    assert [r.dataset for r in reports] == ["regions", "fund_programs", "fund_allocations", "persons",
                                            "fund_payments", "village_ledger", "disclosures", "complaints",
                                            "service_requests", "warnings"]
    for report in reports:
        assert report.rejected == 0 and not report.errors, (report.file, report.errors[:3])
        assert report.loaded + report.updated + report.unchanged == report.rows > 0, report.file
        assert report.batch is not None


def test_the_round_trip_gives_every_rollup_of_the_demo(imported, demo_engine):
    engine, _ = imported
    with demo_engine.connect() as demo, engine.connect() as conn:
        assert rollup_differences(demo, conn) == dict.fromkeys(rollup_differences(demo, demo), 0)
        for table in ("fund_payment", "village_ledger", "complaint", "disclosure", "service_request",
                      "warning", "person", "fund_allocation", "clue"):
            assert _count(conn, table) == _count(demo, table), table
        # text from the public byte for byte: the demo's formula and script complaints
        for content in ("=SUM(A1:A9)%", "%<script>%"):
            query = select(Complaint.content).where(Complaint.content.like(content)).order_by(Complaint.case_no)
            assert conn.execute(query).scalars().all() == demo.execute(query).scalars().all() != []
        info = dict(conn.execute(text("SELECT key, value FROM dataset_info")).all())
        demo_info = dict(demo.execute(text("SELECT key, value FROM dataset_info")).all())
        assert info["as_of"] == demo_info["as_of"] and info["root_code"] == demo_info["root_code"]


def test_the_same_files_again_change_nothing(imported, exchange_dir):
    engine, first = imported
    with engine.connect() as conn:
        before = row_counts(conn)
    again = import_paths(engine, [exchange_dir], user=USER)
    assert [r.same_file_as for r in again] == [r.batch for r in first]
    assert all(r.batch is None and r.loaded == r.updated == 0 and r.unchanged == r.rows for r in again)
    with engine.connect() as conn:
        assert row_counts(conn) == before


def test_a_changed_row_is_an_update_and_undo_restores_it(imported, exchange_dir, demo_engine, tmp_path):
    engine, _ = imported
    with (exchange_dir / "complaints.csv").open(encoding="utf-8-sig", newline="") as handle:
        header, first, second = list(itertools.islice(csv.reader(handle), 3))
    content = header.index("反映内容")
    changed = [*first[:content], "补充材料：再次反映", *first[content + 1:]]
    with (tmp_path / "complaints_update.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, changed, second])
    with engine.connect() as conn:
        before, rollups_before = row_counts(conn), _rollup_snapshot(conn)
    [report] = import_paths(engine, [tmp_path / "complaints_update.csv"], user=USER)
    assert (report.loaded, report.updated, report.unchanged, report.rejected) == (0, 1, 1, 0)
    case_no = first[0]
    with engine.connect() as conn:
        stored = conn.execute(select(Complaint.content).where(Complaint.case_no == case_no)).scalar_one()
        assert stored == "补充材料：再次反映"
        kept = conn.execute(select(ReplacedRow.content).where(ReplacedRow.batch_id == report.batch)).scalar_one()
        assert kept["case_no"] == case_no and kept["content"] == first[content]
    result = undo(engine, report.batch, user=USER)
    assert (result["removed"], result["restored"]) == (0, 1)
    with engine.connect() as conn:
        assert conn.execute(select(Complaint.content).where(Complaint.case_no == case_no)).scalar_one() \
            == first[content]
        after = row_counts(conn)
        assert {k: v for k, v in after.items() if k != "replaced_row"} == \
            {k: v for k, v in before.items() if k != "replaced_row"}
        assert _rollup_snapshot(conn) == rollups_before
    with pytest.raises(UndoRefused, match="已于"):
        undo(engine, report.batch, user=USER)


def test_undo_of_new_rows_removes_them_with_their_rollups(imported, tmp_path):
    engine, _ = imported
    with engine.connect() as conn:
        village = conn.execute(text("SELECT code FROM region WHERE level = 'village' ORDER BY code")).scalar()
        before, rollups_before = row_counts(conn), _rollup_snapshot(conn)
    (tmp_path / "village_ledger_new.csv").write_text(
        "凭证号,村代码,记账日期,收支类型,会计科目,金额,对方单位,摘要\n"
        f"XZ-1,{village},2026-11-10,支出,公益事业支出,1234.56,某建材店,新增\n"
        f"XZ-2,{village},2026-11-11,收入,其他收入,100,,\n"
        f"XZ-3,{village},2026-11-31,收入,其他收入,100,,\n", encoding="utf-8")
    [report] = import_paths(engine, [tmp_path / "village_ledger_new.csv"], user=USER)
    assert (report.loaded, report.rejected) == (2, 1)
    with engine.connect() as conn:
        assert _rollup_snapshot(conn) != rollups_before
        rejected = conn.execute(select(RejectedRow.row_number, RejectedRow.column, RejectedRow.message,
                                       RejectedRow.raw).where(RejectedRow.batch_id == report.batch)).one()
        assert rejected[:3] == (4, "记账日期", "不是有效日期") and rejected[3]["记账日期"] == "2026-11-31"
    undo(engine, report.batch, user=USER)
    with engine.connect() as conn:
        assert {k: v for k, v in row_counts(conn).items() if k != "rejected_row"} == \
            {k: v for k, v in before.items() if k != "rejected_row"}
        assert _rollup_snapshot(conn) == rollups_before
        assert conn.execute(select(ImportBatch.undone_at).where(ImportBatch.id == report.batch)).scalar()


def test_an_import_killed_half_way_leaves_the_database_as_it_was(imported, exchange_dir, tmp_path):
    engine, _ = imported
    url = engine.url.render_as_string(hide_password=False)
    # a ledger file whose keys are all new, so the load has work to be killed in
    lines = (exchange_dir / "village_ledger.csv").read_text(encoding="utf-8-sig").splitlines()
    (tmp_path / "village_ledger_kill.csv").write_text(
        "\n".join([lines[0]] + [line.replace("JZ", "KX", 1) for line in lines[1:]]) + "\n", encoding="utf-8")
    with engine.connect() as conn:
        before, rollups_before = row_counts(conn), _rollup_snapshot(conn)
    process = subprocess.Popen([sys.executable, "cli.py", "import", str(tmp_path / "village_ledger_kill.csv"),
                                "--database-url", url], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    seen = ""
    deadline = time.monotonic() + 120
    while "load" not in seen and time.monotonic() < deadline:  # killed once it writes rows
        seen += process.stdout.read(1) if process.stdout else ""
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)
    assert process.returncode == -signal.SIGKILL, seen
    engine.dispose()
    with engine.connect() as conn:
        assert row_counts(conn) == before
        assert _rollup_snapshot(conn) == rollups_before


def _count(conn, table: str) -> int:
    return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def _rollup_snapshot(conn) -> dict[str, tuple]:
    """Rows and summed measures of the rollups an import of ledger or complaints touches."""
    out = {}
    for table, measures in (("rollup_ledger_vm", "SUM(amount), SUM(entries)"),
                            ("rollup_reporting_tw", "SUM(villages_reported)"),
                            ("rollup_complaint_twcc", "SUM(received), SUM(closed)"),
                            ("rollup_ledger_cm", "SUM(amount)")):
        row = conn.execute(text(f"SELECT COUNT(*), {measures} FROM {table}")).one()
        out[table] = tuple(round(float(v or 0), 2) for v in row)
    return out
