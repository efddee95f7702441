"""The import service's front half, shared by the CLI and (with #13) the /data page: expand
the paths, read every file, validate its rows, and report per file what would load and
what is wrong where. Loading (references, upserts, quarantine, rollups) follows in #13.

Files are taken in the datasets' load order (regions before what refers to them), each
file's rows in its own order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from data.intake.datasets import LOAD_ORDER, dataset_of_filename
from data.intake.reader import UnreadableFile, read_exchange_file
from data.intake.validate import RowError, validate

SUFFIXES = (".csv", ".xlsx", ".xlsm")


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

    def as_json(self) -> dict:
        """The `--json` object of the issue: one per file."""
        errors = [{"line": e.line, "column": e.column, "value": e.value, "reason": e.reason,
                   "reason_en": e.reason_en} for e in self.errors]
        if self.unreadable:
            errors = [{"line": 0, "column": "", "value": "", "reason": self.unreadable, "reason_en": ""}]
        return {"file": self.file, "dataset": self.dataset, "batch": self.batch, "rows": self.rows,
                "loaded": self.loaded, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected, "errors": errors}


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


def check_file(path: Path, dataset: str | None = None) -> FileReport:
    """Read and validate one file: what would load, what is rejected and why."""
    try:
        read = read_exchange_file(path, dataset)
    except (UnreadableFile, OSError) as exc:
        return FileReport(path.name, dataset or dataset_of_filename(path.name), unreadable=str(exc))
    errors = validate(read)
    bad_lines = {e.line for e in errors}
    rows = len(read.frame)
    return FileReport(path.name, read.dataset.name, rows=rows, loaded=rows - len(bad_lines), rejected=len(bad_lines),
                      errors=errors, ignored_columns=read.unknown)
