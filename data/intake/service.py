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
from sqlalchemy import delete, func, insert, select, update

from data import audit
from data.intake import refresh
from data.intake.convert import TARGETS, References
from data.intake.datasets import LOAD_ORDER, Dataset, dataset_of_filename
from data.intake.load import Outcome, UndoRefused, link_pending_repeats, load_rows, undo_batch
from data.intake.reader import LINE, UnreadableFile, open_exchange_file
from data.intake.validate import KeyTracker, RowError, in_order, validate_rows
from data.model.schema import ImportBatch, RegionBoundary, RejectedRow
from data.rollups import frames as rollup_frames

SUFFIXES = (".csv", ".xlsx", ".xlsm")
CHUNK_ROWS = 250_000  # rows read, checked and loaded at once
__all__ = ["FileReport", "UndoRefused", "expand", "import_paths", "undo"]


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
    stored_errors: int = 0           # how many of `errors` are stored as rejected rows so far
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


def _count_rejected(report: FileReport) -> None:
    report.rejected = len({e.line for e in report.errors})


Progress = Callable[[str, str], None]  # (file name, stage)


def import_paths(engine, paths, *, user: str, dataset: str | None = None, dry_run: bool = False,
                 progress: Progress | None = None, address: str | None = None,
                 scope=None, kind: str = "import") -> list[FileReport]:
    """Import files and folders in load order, each file in its own transaction; a dry
    run checks references too but stores nothing. `kind` 'demo': the batches are the demo's
    (their arrival is not a department's report: no timeliness)."""
    files = expand(paths, dataset)
    with engine.connect() as conn:
        refs = References(conn, scope)
    return [import_file(engine, path, refs, user=user, dataset=dataset, dry_run=dry_run, progress=progress,
                        address=address, scope=scope, kind=kind) for path in files]


def import_file(engine, path: Path, refs: References, *, user: str, dataset: str | None = None,
                dry_run: bool = False, progress: Progress | None = None, address: str | None = None,
                scope=None, kind: str = "import") -> FileReport:
    """One file in one transaction, read in chunks (bounded memory for a city's millions of
    rows): a first pass finds keys sent twice with different content, the second checks,
    converts and loads each chunk; the rollups and rules follow once, at the end."""
    step = (lambda stage: progress(path.name, stage)) if progress else (lambda stage: None)
    t0 = time.perf_counter()
    step("read")
    try:
        opened = open_exchange_file(path, dataset)
    except (UnreadableFile, OSError) as exc:
        return FileReport(path.name, dataset or dataset_of_filename(path.name), unreadable=str(exc))
    target = TARGETS[opened.dataset.name]
    report = FileReport(path.name, opened.dataset.name, ignored_columns=opened.unknown)
    sha = _sha256(path)
    with engine.connect() as conn, conn.begin() as transaction:
        prior = None if dry_run else _same_file(conn, sha, target.dataset)
        if prior is not None:
            _report_prior(conn, prior, report)
            transaction.rollback()
            return report
        keys = KeyTracker(opened.dataset)
        for chunk in opened.chunks(CHUNK_ROWS):
            keys.add(chunk)
        refs.conn, refs.file_keys = conn, keys.keys()
        batch = None if dry_run else _open_batch(conn, path, sha, target.dataset, user, kind)
        fresh = conn.execute(select(func.count()).select_from(target.table)).scalar_one() == 0
        step("references")
        total, held = Outcome(), HeldRows(target.dataset if fresh else "")
        for chunk in opened.chunks(CHUNK_ROWS):
            frame = _check_chunk(target, opened, chunk, keys, refs, report)
            if batch is not None:
                step("load")
                total.add(load_rows(conn, target, frame, batch, fresh=fresh))
                held.add(frame)
                _reject(conn, batch, opened.dataset, chunk, report.errors[report.stored_errors:])
                report.stored_errors = len(report.errors)
            _remember(refs, target.dataset, frame)
        _count_rejected(report)
        if batch is None:
            report.loaded = report.rows - report.rejected
            transaction.rollback()
            return report
        link_pending_repeats(conn, total.pending)
        step("rollups")
        refresh.after_load(conn, target.table.name, target.dataset, total.places, batch, given=held.given(),
                           written=total.written)
        report.batch, report.loaded, report.updated = batch, total.loaded, total.updated
        report.unchanged = total.unchanged + len(keys.repeated)
        report.seconds = round(time.perf_counter() - t0, 2)
        _close_batch(conn, batch, report)
        audit.record(conn, user=user, action="import", obj=f"batch:{batch}", address=address, scope=scope,
                     detail={"file": path.name, "dataset": target.dataset, "sha256": sha, **_counts(report)})
    return report


class HeldRows:
    """What the rollups would read back from a table this file loaded whole (it was empty):
    the payments themselves, the ledger's village-month sums, chunk by chunk."""

    def __init__(self, dataset: str):
        self.dataset = dataset
        self.parts: list[pd.DataFrame] = []

    def add(self, frame: pd.DataFrame) -> None:
        if self.dataset == "fund_payments":
            self.parts.append(frame[rollup_frames.PAYMENT_COLUMNS])
        elif self.dataset == "village_ledger":
            self.parts.append(rollup_frames.ledger_vm(frame))

    def given(self) -> dict[str, pd.DataFrame]:
        if not self.parts:
            return {}
        if self.dataset == "fund_payments":
            return {"payments": pd.concat(self.parts, ignore_index=True)}
        return {"ledger_vm": rollup_frames.ledger_vm_of_parts(self.parts)}


def _check_chunk(target, opened, chunk: pd.DataFrame, keys: KeyTracker, refs: References,
                 report: FileReport) -> pd.DataFrame:
    """The chunk's rows to store; its problems appended to the report."""
    errors = validate_rows(opened.dataset, chunk)
    errors += [keys.clashing[line] for line in chunk[LINE] if line in keys.clashing]
    bad = {e.line for e in errors} | keys.repeated
    good = chunk[~chunk[LINE].isin(bad)].reset_index(drop=True)
    frame, ref_errors = target.build(refs, good)
    report.rows += len(chunk)
    report.errors += in_order(opened.dataset, errors + ref_errors)
    return frame


def _report_prior(conn, prior: int, report: FileReport) -> None:
    """This very file was loaded by batch `prior`: its counts, nothing changed now."""
    batch = conn.execute(select(ImportBatch.__table__).where(ImportBatch.id == prior)).mappings().one()
    rejected = conn.execute(select(RejectedRow.row_number, RejectedRow.column, RejectedRow.value,
                                   RejectedRow.message, RejectedRow.message_en)
                            .where(RejectedRow.batch_id == prior).order_by(RejectedRow.id)).all()
    report.rows, report.rejected = batch["rows_total"], batch["rows_rejected"]
    report.unchanged, report.same_file_as = report.rows - report.rejected, prior
    report.errors = [RowError(*row) for row in rejected]


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


def _open_batch(conn, path: Path, sha: str, dataset: str, user: str, kind: str) -> int:
    now = dt.datetime.now().replace(microsecond=0)
    result = conn.execute(insert(ImportBatch.__table__).values(
        kind=kind, source=path.name[:255], started_at=now, status="loading", user=user[:32],
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


def _reject(conn, batch: int, dataset: Dataset, chunk: pd.DataFrame, errors: list[RowError]) -> None:
    """Each error as a rejected_row, with the row as sent (Chinese headers) to fix and resend."""
    if not errors:
        return
    lines = {e.line for e in errors}
    sent = chunk[chunk[LINE].isin(lines)]
    headers = {col.key: col.zh for col in dataset.columns}
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
