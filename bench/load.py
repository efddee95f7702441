"""The load bench (issue #16): many people on the production server at once.

1. Serve the scale's bench database with gunicorn (gunicorn.conf.py, as `make run`).
2. Record, once per navbar page, what a browser asks for it: headless chromium signed in
   as the bench account opens the page and keeps its requests to the app (the page's HTML,
   `/_dash-layout`, `/_dash-dependencies`, every `/_dash-update-component` POST with its
   body) until the page is ready. Bundles, assets and map geometry are left out: a
   returning browser has them in its cache (immutable bundles, ETags).
3. Replay with locust (bench/locustfile.py, its own process): `users` simulated users,
   each opening the pages one after another with 5–15 s of reading between them, for
   `duration_s`; loopback only, bounded in users and time.
4. The same again while a city-scale import runs in another process (`cli.py import` of
   the city's exchange files into a scratch database, as bench/intake.py does).

Reports requests, failures and p50/p95/p99 per kind of request and overall. Budgets: no
failure; p95 ≤ 500 ms alone, ≤ 1 s during an import.
"""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from rich.console import Console
from rich.table import Table

from settings import PROJECT_ROOT
from tools.screenshot import CHROMIUM_ARGS, READY_JS
from tools.signin import sign_in

BUDGET_P95_MS = 500
BUDGET_P95_IMPORT_MS = 1000
USERS = 50
DURATION_S = 120
# Seconds a simulated user reads a page before opening the next (uniform in this range):
# people read a dashboard page for a while; 1–5 s would be 50 users clicking non-stop
# (~20 requests a page: ~300 requests/s, a stress test rather than 50 people).
THINK_S = (5.0, 15.0)
DASH_API = ("/_dash-layout", "/_dash-dependencies", "/_dash-update-component")
console = Console()


def _kind(path: str, url_path: str) -> str:
    if url_path == "/_dash-update-component":
        return f"callbacks of {path}"
    if url_path in DASH_API:
        return url_path.lstrip("/")
    return "page HTML"


def record_pages(base: str, paths: list[str], user: str, password: str, *, browser=None) -> dict:
    """{'cookie': 'name=value', 'pages': {path: [{kind, method, url, body}, ...]}}: what
    chromium (`browser`, else one started here) requested of the app for each page until
    it was ready."""
    if browser is not None:
        return _record(browser, base, paths, user, password)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        started = pw.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                     headless=True, args=CHROMIUM_ARGS)
        try:
            return _record(started, base, paths, user, password)
        finally:
            started.close()


def _record(browser, base: str, paths: list[str], user: str, password: str) -> dict:
    from web.auth import COOKIE_NAME
    host = urlsplit(base).netloc
    pages: dict[str, list[dict]] = {}
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    login = context.new_page()
    sign_in(login, base, user, password)
    login.close()
    for path in paths:
        tab = context.new_page()
        seen: list[dict] = []

        def keep(req, path=path, seen=seen):
            url = urlsplit(req.url)
            if url.netloc != host or (url.path not in DASH_API and req.resource_type != "document"):
                return
            seen.append({"kind": _kind(path, url.path), "method": req.method,
                         "url": url.path + (f"?{url.query}" if url.query else ""),
                         "body": req.post_data or ""})
        tab.on("request", keep)
        tab.goto(base + path)
        tab.wait_for_function(READY_JS, timeout=120_000, polling=50)
        tab.wait_for_timeout(300)  # a callback chain may start one tick later
        tab.wait_for_function(READY_JS, timeout=120_000, polling=50)
        tab.close()
        pages[path] = seen
    cookie = next(c for c in context.cookies() if c["name"] == COOKIE_NAME)
    context.close()
    return {"cookie": f"{COOKIE_NAME}={cookie['value']}", "pages": pages}


def run_locust(base: str, recording: Path, out: Path, *, users: int, duration_s: int,
               spawn_rate: float = 10, think_s: tuple[float, float] = THINK_S) -> list[dict]:
    """Run bench/locustfile.py headless against `base`; the rows of its stats CSV."""
    prefix = out / "locust"
    command = [sys.executable, "-m", "locust", "-f", str(PROJECT_ROOT / "bench" / "locustfile.py"),
               "--headless", "--host", base, "--users", str(users), "--spawn-rate", str(spawn_rate),
               "--run-time", f"{duration_s}s", "--stop-timeout", "10", "--csv", str(prefix),
               "--only-summary", "--loglevel", "WARNING", "--recording", str(recording),
               "--think-min", str(think_s[0]), "--think-max", str(think_s[1])]
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=duration_s + 180, check=False)
    stats = prefix.with_name(prefix.name + "_stats.csv")
    if not stats.exists():
        raise RuntimeError(f"locust wrote no statistics (exit {done.returncode}):\n{done.stderr[-3000:]}")
    with stats.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    # an exception inside a user (e.g. an undecodable body) ends its task without a
    # failed request: counted here as failures of the overall row
    with prefix.with_name(prefix.name + "_exceptions.csv").open(newline="") as handle:
        raised = sum(int(r["Count"]) for r in csv.DictReader(handle))
    for row in rows:
        if row["Name"] == "Aggregated":
            row["Failure Count"] = str(int(row["Failure Count"]) + raised)
    return rows


def _import_city(scratch: Path) -> subprocess.Popen:
    """`cli.py import` of the city's exchange files into an empty scratch database."""
    from bench.intake import exchange_files
    folder = exchange_files("city")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    return subprocess.Popen([sys.executable, str(PROJECT_ROOT / "cli.py"), "import", str(folder),
                             "--database-url", f"sqlite:///{scratch / 'imported.db'}"],
                            cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def load_rows(base: str, recording: Path, out: Path, *, users: int, duration_s: int,
              during_import: bool) -> tuple[list[dict], str]:
    """Locust's rows, and a note on the import (its seconds, whether it overlapped)."""
    if not during_import:
        return run_locust(base, recording, out, users=users, duration_s=duration_s), ""
    started = time.perf_counter()
    proc = _import_city(out / "import")
    try:
        rows = run_locust(base, recording, out, users=users, duration_s=duration_s)
        running = proc.poll() is None
        code = proc.wait(timeout=900)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    seconds = time.perf_counter() - started
    note = (f"import exit {code}, {seconds:.0f} s" +
            (", still running when the load ended" if running else ", ended before the load did"))
    return rows, note


def print_load_table(title: str, rows: list[dict], budget_ms: int) -> bool:
    """The rich table of locust's rows; True when within the budgets (no failure, p95)."""
    table = Table(title=title)
    for col in ("requests of", "requests", "failures", "p50 ms", "p95 ms", "p99 ms", "budget ms", "ok"):
        table.add_column(col)
    ok_all = True
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        name = "all requests" if row["Name"] == "Aggregated" else row["Name"]
        failures, p95 = int(row["Failure Count"]), _ms(row["95%"])
        ok = failures == 0 and p95 <= budget_ms
        ok_all &= ok
        table.add_row(name, row["Request Count"], str(failures), f"{_ms(row['50%']):.0f}", f"{p95:.0f}",
                      f"{_ms(row['99%']):.0f}", str(budget_ms), "✓" if ok else "✗")
    console.print(table)
    return ok_all


def _ms(value: str) -> float:
    return float(value) if value not in ("", "N/A") else 0.0


def ensure_account(db_url: str, user: str, password: str) -> None:
    """The bench's commission account over the dataset's root, made once (bench/run.py's)."""
    from data import queries
    from data.model.db import make_engine
    from data.users import add_user, get_user
    engine = make_engine(db_url)
    with engine.begin() as conn:
        if get_user(conn, user) is None:
            add_user(conn, user, "commission", [queries.fetch_dataset_info(conn)["root_code"]], password,
                     actor="bench")
    engine.dispose()


def bench_load(scale: str, db_url: str, var_dir: Path, user: str, password: str, *,
               users: int = USERS, duration_s: int = DURATION_S, during_import: bool = True) -> bool:
    """Serve the scale's bench database with gunicorn, record the pages, replay them with
    `users` users for `duration_s` alone and (with `during_import`) during an import;
    prints the tables; True when every budget held."""
    from components.navbar import visible_pages
    from tools.serve import running_app

    if not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        console.print("[yellow]load: skipped, Debian chromium not installed (make system-deps)")
        return True
    out = var_dir / "load"
    out.mkdir(parents=True, exist_ok=True)
    ensure_account(db_url, user, password)
    ok = True
    with running_app(db_url, var_dir, production=True) as base:
        recording = out / "recording.json"
        recording.write_text(json.dumps(record_pages(base, [p for _, p in visible_pages("commission")],
                                                     user, password), ensure_ascii=False), encoding="utf-8")
        rows, _ = load_rows(base, recording, out, users=users, duration_s=duration_s, during_import=False)
        ok &= print_load_table(f"{users} users, {duration_s} s, production server (gunicorn) — {scale} scale",
                               rows, BUDGET_P95_MS)
        if during_import:
            rows, note = load_rows(base, recording, out, users=users, duration_s=duration_s, during_import=True)
            ok &= print_load_table(f"the same during a city-scale import ({note}) — {scale} scale",
                                   rows, BUDGET_P95_IMPORT_MS)
    return ok
