"""Time to a ready page in headless Debian chromium (DESIGN §7: first page ready ≤ 1.5 s).

"Ready" = the page's root (`.sun-page`) is rendered and Dash has no callback in flight
(no element marked `data-dash-is-loading`), i.e. the user sees numbers, not spinners.
`first` is the first visit of a page (fresh browser profile, server cache cold); `again` the
median of later visits with the same profile (browser and server caches warm).
"""
from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tools.screenshot import CHROMIUM_ARGS, READY_JS
from tools.signin import sign_in

BUDGET_MS = 1500
console = Console()


def _visit_ms(context, url: str) -> float:
    """Milliseconds from navigation to ready, in a new tab of `context`."""
    tab = context.new_page()
    started = time.perf_counter()
    tab.goto(url)
    tab.wait_for_function(READY_JS, timeout=60_000, polling=25)
    tab.wait_for_timeout(100)  # a callback chain may start one tick later
    tab.wait_for_function(READY_JS, timeout=60_000, polling=25)
    elapsed = (time.perf_counter() - started) * 1000
    tab.close()
    return elapsed


def page_ready_rows(base: str, paths: list[str], repeat: int = 3, *, user: str = "",
                    password: str = "") -> list[tuple[str, float, float]]:
    """(path, first visit ms, median of `repeat` later visits ms) per path.

    First visit: a fresh browser profile (nothing cached) and the server's cache cold for
    that page. Later visits: the same profile again, as a user coming back (scripts from
    the browser cache, results from the server cache)."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                     headless=True, args=CHROMIUM_ARGS)
        for path in paths:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            if user:  # signing in is not part of the page's time
                login = context.new_page()
                sign_in(login, base, user, password)
                login.close()
            first = _visit_ms(context, base + path)
            again = statistics.median(_visit_ms(context, base + path) for _ in range(repeat))
            context.close()
            rows.append((path, first, again))
        browser.close()
    return rows


def bench_page_ready(scale: str, db_url: str, var_dir: Path, user: str, password: str) -> None:
    """Serve the scale's bench database and print the page-ready table (the pages of the
    commission's role, signed in as `user`)."""
    from components.navbar import visible_pages
    from tools.serve import running_app

    if not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        console.print("[yellow]page ready: skipped, Debian chromium not installed (make system-deps)")
        return
    with running_app(db_url, var_dir) as base:
        rows = page_ready_rows(base, [path for _, path in visible_pages("commission")], user=user, password=password)
    table = Table(title=f"first page ready in headless chromium — {scale} scale")
    for col in ("page", "first visit ms", "later visits ms (median)", "budget ms", "ok"):
        table.add_column(col)
    for path, first, again in rows:
        table.add_row(path, f"{first:.0f}", f"{again:.0f}", str(BUDGET_MS), "✓" if first <= BUDGET_MS else "✗")
    console.print(table)
