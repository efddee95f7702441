"""Progress display of a demo run (rich), or nothing when disabled (tests, services).

One bar over the stages and a counter of rows loaded in the current stage, so a
province-scale run (minutes) shows where it is.
"""
from __future__ import annotations

import time

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)


class Stages:
    """Context manager: `start(name)` begins a stage, `advance(rows)` counts loaded rows."""

    def __init__(self, enabled: bool, names: list[str]):
        self.enabled = enabled
        self.names = names
        self.current: str | None = None
        self.seconds: dict[str, float] = {}
        self._since = time.perf_counter()
        self._progress: Progress | None = None

    def __enter__(self) -> Stages:
        if self.enabled:
            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                      MofNCompleteColumn(), TimeElapsedColumn())
            self._progress.start()
            self._stages = self._progress.add_task("演示数据 demo data", total=len(self.names))
            self._rows = self._progress.add_task("  rows", total=None)
        return self

    def start(self, name: str) -> None:
        """Mark the previous stage done (recording its duration) and show `name`."""
        self._lap()
        if self._progress is not None:
            if self.current is not None:
                self._progress.advance(self._stages)
            self._progress.update(self._stages, description=f"演示数据 demo data: {name}")
            self._progress.reset(self._rows, total=None, description=f"  {name} rows")
        self.current = name

    def _lap(self) -> None:
        now = time.perf_counter()
        if self.current is not None:
            self.seconds[self.current] = round(now - self._since, 2)
        self._since = now

    def advance(self, rows: int) -> None:
        """Count `rows` loaded in the current stage."""
        if self._progress is not None:
            self._progress.advance(self._rows, rows)

    def __exit__(self, exc_type, exc, tb) -> None:
        self._lap()
        if self._progress is not None:
            if exc_type is None:
                self._progress.update(self._stages, completed=len(self.names))
            self._progress.stop()
