"""The import service, one for the CLI and the /data page: expand the paths, read and
validate every file, check its references, and load each file in one transaction: the
good rows (new, updated with the previous version kept, unchanged), the rejected rows
with their reasons, the rollups of the affected townships, the comparison rules of the
affected villages, the dataset's as-of date and the batch row. A file that cannot be
read loads nothing; the same file again (sha256) changes nothing; `undo` removes a
batch and restores what it replaced.

Files are taken in the datasets' load order (regions before what refers to them), each
file's rows in its own order.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import delete, insert, select, update

from data import audit
from data.intake import refresh
from data.intake.convert import TARGETS, References
from data.intake.datasets import LOAD_ORDER, dataset_of_filename
from data.intake.load import UndoRefused, load_rows, undo_batch
from data.intake.reader import LINE, ReadFile, UnreadableFile, read_exchange_file
from data.intake.validate import RowError, validate
from data.model.schema import ImportBatch, RegionBoundary, RejectedRow

SUFFIXES = (".csv", ".xlsx", ".xlsm")
__all__ = ["FileReport", "UndoRefused", "check_file", "expand", "import_paths", "undo"]


@dataclass
class FileReport:
    file: str
    dataset: str | None
    rows: int = 0
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    unreadable: str = ""             # why nothing of the file could be read
    ignored_columns: tuple[str, ...] = ()
    batch: int | None = None         # the import batch (None in a dry run)
    same_file_as: int | None = None  # the batch that loaded this very file before
    seconds: float = 0.0

    def as_json(self) -> dict:
        """The `--json` object of the issue: one per file."""
        errors = [{"line": e.line, "column": e.column, "value": e.value, "reason": e.reason,
                   "reason_en": e.reason_en} for e in self.errors]
        if self.unreadable:
            errors = [{"line": 0, "column": "", "value": "", "reason": self.unreadable, "reason_en": ""}]
        return {"file": self.file, "dataset": self.dataset, "batch": self.batch, "rows": self.rows,
                "loaded": self.loaded, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected, "same_file_as": self.same_file_as, "errors": errors}


def expand(paths, dataset: str | None = None) -> list[Path]:
    """Files and folders -> exchange files, in the datasets' load order (unknown last)."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and not p.name.startswith("~$"))
        else:
            files.append(path)

    def order(path: Path) -> tuple[int, str]:
        name = dataset or dataset_of_filename(path.name)
        return (LOAD_ORDER.index(name) if name in LOAD_ORDER else len(LOAD_ORDER), str(path))
    return sorted(files, key=order)


def _read(path: Path, dataset: str | None) -> tuple[FileReport, ReadFile | None]:
    try:
        read = read_exchange_file(path, dataset)
    except (UnreadableFile, OSError) as exc:
        return FileReport(path.name, dataset or dataset_of_filename(path.name), unreadable=str(exc)), None
    report = FileReport(path.name, read.dataset.name, rows=len(read.frame), errors=validate(read),
                        ignored_columns=read.unknown)
    return report, read


def check_file(path: Path, dataset: str | None = None) -> FileReport:
    """Read and validate one file: what would load, what is rejected and why (no database)."""
    report, _ = _read(path, dataset)
    _count_rejected(report)
    report.loaded = report.rows - report.rejected
    return report


def _count_rejected(report: FileReport) -> None:
    report.rejected = len({e.line for e in report.errors})


Progress = Callable[[str, str], None]  # (file name, stage)


def import_paths(engine, paths, *, user: str, dataset: str | None = None, dry_run: bool = False,
                 progress: Progress | None = None, address: str | None = None,
                 scope=None) -> list[FileReport]:
    """Import files and folders in load order, each file in its own transaction; a dry
    run checks references too but stores nothing."""
    files = expand(paths, dataset)
    with engine.connect() as conn:
        refs = References(conn, scope)
    return [import_file(engine, path, refs, user=user, dataset=dataset, dry_run=dry_run, progress=progress,
                        address=address, scope=scope) for path in files]


def import_file(engine, path: Path, refs: References, *, user: str, dataset: str | None = None,
                dry_run: bool = False, progress: Progress | None = None, address: str | None = None,
                scope=None) -> FileReport:
    step = (lambda stage: progress(path.name, stage)) if progress else (lambda stage: None)
    t0 = time.perf_counter()
    step("read")
    report, read = _read(path, dataset)
    if read is None:
        return report
    target = TARGETS[read.dataset.name]
    good = read.frame[~read.frame[LINE].isin({e.line for e in report.errors})].reset_index(drop=True)
    sha = _sha256(path)
    with engine.connect() as conn, conn.begin() as transaction:
        refs.conn = conn
        step("references")
        frame, ref_errors = target.build(refs, good)
        report.errors = sorted(report.errors + ref_errors, key=lambda e: e.line)
        _count_rejected(report)
        prior = _same_file(conn, sha, target.dataset)
        if dry_run or prior is not None:
            report.loaded, report.same_file_as = (report.rows - report.rejected, None) if dry_run else (0, prior)
            report.unchanged = 0 if dry_run else report.rows - report.rejected
            _remember(refs, target.dataset, frame)
            transaction.rollback()
            return report
        batch = _open_batch(conn, path, sha, target.dataset, user)
        step("load")
        outcome = load_rows(conn, target, frame, batch)
        _reject(conn, batch, read, report.errors)
        step("rollups")
        refresh.after_load(conn, target.table.name, target.dataset, outcome.places, batch)
        report.batch, report.loaded, report.updated, report.unchanged = (
            batch, outcome.loaded, outcome.updated, outcome.unchanged)
        report.seconds = round(time.perf_counter() - t0, 2)
        _close_batch(conn, batch, report)
        audit.record(conn, user=user, action="import", obj=f"batch:{batch}", address=address, scope=scope,
                     detail={"file": path.name, "dataset": target.dataset, "sha256": sha, **_counts(report)})
    _remember(refs, target.dataset, frame)
    return report


def _remember(refs: References, dataset: str, frame: pd.DataFrame) -> None:
    """What later files of the same import may refer to."""
    if dataset == "regions":
        refs.add_regions(frame)
    elif dataset == "fund_programs":
        refs.add_programs(frame)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _same_file(conn, sha: str, dataset: str) -> int | None:
    """The batch that loaded this very file (and was not undone), if any."""
    batch = ImportBatch.__table__
    return conn.execute(select(batch.c.id).where(batch.c.sha256 == sha, batch.c.dataset == dataset,
                                                 batch.c.undone_at.is_(None), batch.c.status == "loaded")
                        .order_by(batch.c.id.desc()).limit(1)).scalar()


def _open_batch(conn, path: Path, sha: str, dataset: str, user: str) -> int:
    now = dt.datetime.now().replace(microsecond=0)
    result = conn.execute(insert(ImportBatch.__table__).values(
        kind="import", source=path.name[:255], started_at=now, status="loading", user=user[:32],
        params={}, dataset=dataset, sha256=sha))
    return int(result.inserted_primary_key[0])


def _counts(report: FileReport) -> dict[str, int]:
    return {"rows": report.rows, "loaded": report.loaded, "updated": report.updated,
            "unchanged": report.unchanged, "rejected": report.rejected}


def _close_batch(conn, batch: int, report: FileReport) -> None:
    conn.execute(update(ImportBatch.__table__).where(ImportBatch.id == batch).values(
        status="loaded", finished_at=dt.datetime.now().replace(microsecond=0), rows_total=report.rows,
        rows_loaded=report.loaded, rows_updated=report.updated, rows_unchanged=report.unchanged,
        rows_rejected=report.rejected, seconds=report.seconds,
        params={"ignored_columns": list(report.ignored_columns)}))


def _reject(conn, batch: int, read: ReadFile, errors: list[RowError]) -> None:
    """Each error as a rejected_row, with the row as sent (Chinese headers) to fix and resend."""
    if not errors:
        return
    lines = {e.line for e in errors}
    sent = read.frame[read.frame[LINE].isin(lines)]
    headers = {col.key: col.zh for col in read.dataset.columns}
    raw = {int(row[LINE]): {headers[k]: v for k, v in row.items() if k != LINE}
           for row in sent.to_dict("records")}
    conn.execute(insert(RejectedRow.__table__), [
        {"batch_id": batch, "row_number": e.line, "column": e.column[:64], "value": e.value,
         "message": e.reason, "message_en": e.reason_en, "raw": raw.get(e.line)} for e in errors])


def undo(engine, batch_id: int, *, user: str, address: str | None = None, scope=None) -> dict:
    """`cli.py import-undo BATCH`: the database as it was before the batch, rollups included."""
    with engine.begin() as conn:
        dataset = conn.execute(select(ImportBatch.dataset).where(ImportBatch.id == batch_id)).scalar()
        if dataset in ("regions", "fund_programs"):
            refresh.refuse_if_referenced(conn, dataset, batch_id)
        if dataset == "regions":  # the synthetic outlines drawn for the batch's regions go with them
            conn.execute(delete(RegionBoundary.__table__).where(RegionBoundary.code.in_(
                select(TARGETS["regions"].table.c.code).where(TARGETS["regions"].table.c.batch_id == batch_id))))
        result = undo_batch(conn, batch_id)
        refresh.after_undo(conn, TARGETS[result["dataset"]].table.name, result["places"], batch_id)
        audit.record(conn, user=user, action="import_undo", obj=f"batch:{batch_id}", address=address, scope=scope,
                     detail={"removed": result["removed"], "restored": result["restored"]})
    return result
