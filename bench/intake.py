"""The import budgets (issue #13), measured the way a data administrator meets them:

- the city demo written as exchange files (`cli.py demo --export`, about 3.4 M rows) and
  imported by `cli.py import` into an empty database, in its own process: wall time and
  the process's peak memory (ru_maxrss of the child);
- one county's month of payments and ledger arriving in that city database (the weekly
  case): the county's rows of the month are taken out of the database first (its rollups
  are rebuilt by the import itself), then its files are imported;
- the same month again under new keys (a stress case, no budget: every payment is then a
  second payment of the same beneficiary and period, so the rules find thousands of clues);
- the dashboard's callbacks while an import runs: the overview's KPI callback timed in
  this process while a county month imports in another.

The exchange files are made once under var/bench/exchange-<scale>/ and reused.
"""
from __future__ import annotations

import csv
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from settings import PROJECT_ROOT

BUDGET_CITY_S, BUDGET_CITY_MB = 90, 2048
BUDGET_MONTH_S = 5
console = Console()


def _cli(*args: str) -> tuple[float, float, int]:
    """(seconds, peak MB of the child, exit code) of `python cli.py ARGS` run alone."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(PROJECT_ROOT / "cli.py"), *args], cwd=PROJECT_ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024, done.returncode


def exchange_files(scale: str) -> Path:
    folder = PROJECT_ROOT / "var" / "bench" / f"exchange-{scale}"
    if not (folder / "warnings.csv").exists():
        console.print(f"[bold]writing the {scale} demo as exchange files (once) …")
        _cli("demo", "--scale", scale, "--seed", "7", "--quiet", "--export", str(folder))
    return folder


def county_month(folder: Path, county: str, month: str, *, new_keys: bool = False) -> Path:
    """The county's payments due and ledger booked in `month` (with new keys: "M" before each)."""
    out = folder.parent / f"month-{county}-{month}{'-new-keys' if new_keys else ''}"
    out.mkdir(exist_ok=True)
    prefix = "M" if new_keys else ""
    for name, key, day in (("fund_payments", "发放流水号", "应发日期"), ("village_ledger", "凭证号", "记账日期")):
        with (folder / f"{name}.csv").open(encoding="utf-8-sig", newline="") as handle:
            rows = csv.reader(handle)
            head = next(rows)
            village, number, date = head.index("村代码"), head.index(key), head.index(day)
            kept = [[*r[:number], prefix + r[number], *r[number + 1:]] for r in rows
                    if r[village].startswith(county) and r[date].startswith(month)]
        with (out / f"{name}_{month}.csv").open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([head, *kept])
    return out


def bench_intake(scale: str = "city") -> None:
    folder = exchange_files(scale)
    scratch = PROJECT_ROOT / "var" / "bench" / f"import-{scale}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    url = f"sqlite:///{scratch / 'imported.db'}"
    rows = sum(max(0, sum(1 for _ in path.open(encoding="utf-8-sig")) - 1) for path in folder.glob("*.csv"))
    seconds, peak, code = _cli("import", str(folder), "--database-url", url)
    table = Table(title=f"import budgets — {scale} scale")
    for col in ("case", "rows", "seconds", "budget s", "peak MB", "budget MB", "ok"):
        table.add_column(col)
    table.add_row("all exchange files into an empty database", f"{rows:,}", f"{seconds:.1f}", str(BUDGET_CITY_S),
                  f"{peak:.0f}", str(BUDGET_CITY_MB),
                  "✓" if code == 0 and seconds <= BUDGET_CITY_S and peak <= BUDGET_CITY_MB else "✗")
    county, month = "431021", "2026-10"
    arriving = county_month(folder, county, month)
    withdraw_month(url, county, month)
    during = _callback_during(url, lambda: _cli("import", str(arriving), "--database-url", url))
    seconds, _, code = during.pop("import")
    table.add_row(f"a county's month arriving ({county} {month}: payments + ledger)", f"{_rows(arriving):,}",
                  f"{seconds:.1f}", str(BUDGET_MONTH_S), "", "", "✓" if code == 0 and seconds <= BUDGET_MONTH_S else "✗")
    again = county_month(folder, county, month, new_keys=True)
    seconds, _, code = _cli("import", str(again), "--database-url", url)
    table.add_row("the same month again under new keys (stress: every payment a duplicate)", f"{_rows(again):,}",
                  f"{seconds:.1f}", "—", "", "", "—" if code == 0 else "✗")
    console.print(table)
    calls = Table(title="overview KPI callback while the county month imports")
    for col in ("case", "calls", "p50 ms", "p95 ms", "budget ms", "ok"):
        calls.add_column(col)
    p50, p95, n = during["p50"], during["p95"], during["n"]
    calls.add_row("uncached, during the import", str(n), f"{p50:.0f}", f"{p95:.0f}", "150", "✓" if p95 <= 150 else "✗")
    console.print(calls)


def _rows(folder: Path) -> int:
    return sum(max(0, sum(1 for _ in p.open(encoding="utf-8")) - 1) for p in folder.glob("*.csv"))


def withdraw_month(url: str, county: str, month: str) -> int:
    """Take the county's payments due and ledger booked in `month` out of the database, as
    if they had not arrived yet (what a real month's import finds); returns the rows."""
    import datetime as dt

    from sqlalchemy import text

    from data.model.db import make_engine
    first = dt.date(int(month[:4]), int(month[5:7]), 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    bounds = {"lo": county.ljust(12, "0"), "hi": county.ljust(12, "9"), "first": first, "last": last}
    engine = make_engine(url)
    with engine.begin() as conn:
        removed = sum(conn.execute(text(f"DELETE FROM {table} WHERE village_code BETWEEN :lo AND :hi "
                                        f"AND {day} BETWEEN :first AND :last"), bounds).rowcount
                      for table, day in (("fund_payment", "due_date"), ("village_ledger", "entry_date")))
    engine.dispose()
    return removed


def _callback_during(url: str, run_import) -> dict:
    """Time the overview's KPI callback over and over while `run_import` runs in a thread."""
    from flask_login import login_user

    import runtime
    from app import create_app
    from bench.run import BENCH_USER, ensure_bench_account, percentile
    from settings import load_settings
    settings = load_settings({"DATABASE_URL": url, "SUNSHINE_VAR_DIR": str(Path(url[len("sqlite:///"):]).parent)})
    server = create_app(settings).server
    root = ensure_bench_account(server)
    result: dict = {}
    worker = threading.Thread(target=lambda: result.update(done=run_import()))
    samples: list[float] = []
    with server.test_request_context("/"):
        login_user(runtime.SessionUser(name=BENCH_USER, role="commission", scope=(root,)))
        from callbacks import overview
        from callbacks.page_state import resolve_state
        resolved = resolve_state({"region": root, "week": None, "lang": "zh-CN"})[-1]
        worker.start()
        while worker.is_alive():
            runtime.cache_of(server).clear()
            started = time.perf_counter()
            overview.render_kpis(resolved)
            samples.append((time.perf_counter() - started) * 1000)
        worker.join()
    return {"import": result["done"], "p50": percentile(samples, .5) if samples else 0,
            "p95": percentile(samples, .95) if samples else 0, "n": len(samples)}
