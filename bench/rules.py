"""A full comparison rules run (issue #14): every rule that is on, over the whole database
of the scale's demo (what the weekly cron run does), timed rule by rule. Nothing is
stored: `run_rules` only finds. Budget: 60 s for all rules at province scale."""
from __future__ import annotations

import time

from rich.console import Console
from rich.table import Table

BUDGET_S = 60
console = Console()


def bench_rules(scale: str, url: str) -> float:
    """Print the table; returns the total seconds."""
    from data.intake.base import prepare_database
    from data.intake.refresh import as_of_date
    from data.model.db import make_engine
    from data.rules.comparison import run_rules
    from data.rules.library import active_library
    engine = make_engine(url)
    prepare_database(engine)
    table = Table(title=f"comparison rules, full run — {scale} scale")
    for col in ("rule", "clues", "seconds"):
        table.add_column(col)
    total = 0.0
    with engine.connect() as conn:
        library, as_of = active_library(conn), as_of_date(conn)
        for spec in library.enabled():
            started = time.perf_counter()
            found = run_rules(conn, as_of, rules=(spec.code,), library=library)
            seconds = time.perf_counter() - started
            total += seconds
            table.add_row(spec.code, f"{len(found):,}", f"{seconds:.2f}")
    engine.dispose()
    table.add_row("all rules", "", f"{total:.1f} (budget {BUDGET_S} at province)",
                  end_section=True)
    console.print(table)
    return total
