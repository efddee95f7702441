"""The benchmark (`make bench`): server-side callback times and map bytes, per scale.

For each scale it makes (once, then reuses) a demo database under var/bench/, builds
the app on it and calls every registered dashboard callback function directly inside
a request context: `uncached` clears the cache before each call, `cached` repeats a
call already made. Prints p50/p95 in ms per callback, and the size in bytes of the
map layers the browser downloads. Budgets: DESIGN.md §7.
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from flask_login import login_user
from rich.console import Console
from rich.table import Table

import runtime
from settings import PROJECT_ROOT, load_settings

BENCH_SEED = 7
BUDGET_UNCACHED_MS = 150
BUDGET_CACHED_MS = 30
BUDGET_AUTH_MS = 5     # what login and the scope check add to every callback request
AUTH_REPEAT = 300
BENCH_USER, BENCH_PASSWORD = "bench_commission", "bench password 1234"
console = Console()


def bench_db_url(scale: str) -> str:
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'bench' / f'{scale}.db'}"


def ensure_bench_db(scale: str) -> str:
    """Generate the scale's demo database once; later runs reuse it."""
    from sqlalchemy import func, select

    from data.model.db import make_engine
    from data.model.migrate import upgrade
    from data.model.schema import Region
    from demo import generate

    url = bench_db_url(scale)
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        has_data = conn.execute(select(func.count()).select_from(Region)).scalar_one() > 0
    if not has_data:
        console.print(f"[bold]generating {scale} demo for the benchmark (once) …")
        started = time.perf_counter()
        generate(engine, scale=scale, seed=BENCH_SEED, as_of=None, progress=True)
        console.print(f"{scale} demo generated in {time.perf_counter() - started:.1f} s")
    engine.dispose()
    return url


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def time_calls(fn: Callable[[], object], repeat: int, before: Callable[[], object] | None = None,
               warm: bool = False) -> list[float]:
    """Wall times in ms of `repeat` calls; `before` runs untimed before each call.

    `warm` makes one untimed call first, so that the timed calls read the cache.
    """
    samples = []
    if warm:
        fn()
    for _ in range(repeat):
        if before:
            before()
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def bench_scale(scale: str, repeat: int, only: tuple[str, ...] = ()) -> tuple[list[tuple], list[tuple]]:
    """Rows (callback, case, p50, p95, budget) and (layer, bytes, budget) for one scale."""
    from app import create_app
    from bench.cases import callback_cases, layer_cases

    settings = load_settings({"DATABASE_URL": ensure_bench_db(scale),
                              "SUNSHINE_VAR_DIR": str(PROJECT_ROOT / "var" / "bench" / scale)})
    app = create_app(settings)
    server = app.server
    cache = runtime.cache_of(server)
    timing_rows, layer_rows = [], []
    job_rows.clear()
    root = ensure_bench_account(server)
    timing_rows.append(time_auth(server))
    with server.test_request_context("/"):
        login_user(runtime.SessionUser(name=BENCH_USER, role="commission", scope=(root,)))
        for name, calls in callback_cases(server):
            if only and not any(part in name for part in only):
                continue
            uncached = [s for call in calls for s in time_calls(call, max(1, repeat // len(calls)), cache.clear)]
            cached = [s for call in calls for s in time_calls(call, max(1, repeat // len(calls)), warm=True)]
            timing_rows.append((name, "uncached", percentile(uncached, .5), percentile(uncached, .95), BUDGET_UNCACHED_MS))
            timing_rows.append((name, "cached", percentile(cached, .5), percentile(cached, .95), BUDGET_CACHED_MS))
        layer_rows = layer_cases(server)
        job_rows.extend(time_jobs(server, repeat, only))
    return timing_rows, layer_rows


def ensure_bench_account(server) -> str:
    """The bench's commission account over the dataset's root (made once); the root."""
    from data import queries
    from data.users import add_user, get_user
    with runtime.engine_of(server).begin() as conn:
        root = queries.fetch_dataset_info(conn)["root_code"]
        if get_user(conn, BENCH_USER) is None:
            add_user(conn, BENCH_USER, "commission", [root], BENCH_PASSWORD, actor="bench")
    return root


def time_auth(server) -> tuple:
    """What a signed-in callback request pays before its callback runs: the Origin check,
    the session cookie, the account row, the idle/absolute checks, the role's right and
    the scope (p50/p95 over AUTH_REPEAT requests, on the real session of a real login)."""
    from data.access import VIEW_DASHBOARDS
    from web.auth import COOKIE_NAME
    client = server.test_client()
    client.post("/login", data={"name": BENCH_USER, "password": BENCH_PASSWORD})
    cookie = client.get_cookie(COOKIE_NAME)
    if cookie is None:
        raise RuntimeError("bench login failed")
    headers = {"Cookie": f"{COOKIE_NAME}={cookie.value}", "Origin": "http://localhost"}

    def checked_request():
        with server.test_request_context("/_dash-update-component", method="POST", headers=headers):
            if server.preprocess_request() is not None:  # a refusal: the bench is wrong
                raise RuntimeError("bench session refused")
            runtime.require(VIEW_DASHBOARDS)
            runtime.current_scope()
    samples = time_calls(checked_request, AUTH_REPEAT, warm=True)
    return ("auth: session + account + right + scope", "per request", percentile(samples, .5),
            percentile(samples, .95), BUDGET_AUTH_MS)


job_rows: list[tuple] = []  # (job, case, p50, max, budget) of the last bench_scale
JOB_REPEAT = 3


def time_jobs(server, repeat: int, only: tuple[str, ...] = ()) -> list[tuple]:
    """One-off jobs of the pages (`job_cases(server)` in bench/cases_<page>.py ->
    [(name, call, budget_ms)]): the first (cold: starts chromium etc.) call, then up to
    JOB_REPEAT warm calls (p50 and max)."""
    from bench.cases import _page_modules
    rows = []
    for module in _page_modules():
        if not hasattr(module, "job_cases"):
            continue
        for name, call, budget in module.job_cases(server):
            if only and not any(part in name for part in only):
                continue
            cold = time_calls(call, 1)
            warm = time_calls(call, max(1, min(JOB_REPEAT, repeat)))
            rows.append((name, "cold (first in process)", cold[0], cold[0], budget))
            rows.append((name, "warm", percentile(warm, .5), max(warm), budget))
    return rows


def print_tables(scale: str, timing_rows: list[tuple], layer_rows: list[tuple]) -> None:
    table = Table(title=f"callbacks, server side — {scale} scale ({dt.date.today()})")
    for col in ("callback", "case", "p50 ms", "p95 ms", "budget ms", "ok"):
        table.add_column(col)
    for name, case, p50, p95, budget in timing_rows:
        table.add_row(name, case, f"{p50:.1f}", f"{p95:.1f}", str(budget), "✓" if p95 <= budget else "✗")
    console.print(table)
    layers = Table(title=f"map geometry sent to the browser — {scale} scale")
    for col in ("layer", "bytes", "budget", "ok"):
        layers.add_column(col)
    for name, size, budget in layer_rows:
        layers.add_row(name, f"{size:,}", f"{budget:,}", "✓" if size <= budget else "✗")
    console.print(layers)
    if job_rows:
        jobs = Table(title=f"one-off jobs — {scale} scale")
        for col in ("job", "case", "p50 ms", "max ms", "budget ms", "ok"):
            jobs.add_column(col)
        for name, case, p50, worst, budget in job_rows:
            jobs.add_row(name, case, f"{p50:.0f}", f"{worst:.0f}", str(budget), "✓" if worst <= budget else "✗")
        console.print(jobs)


def main(scales: list[str], repeat: int = 30, only: tuple[str, ...] = (), pages: bool = True,
         intake: bool = True, load: bool = True, load_seconds: int = 120, load_users: int = 50) -> None:
    """Bench each scale; `only` keeps the callbacks whose name contains one of its parts;
    `pages` adds the time to a ready page of every navbar page in headless chromium;
    `intake` the import budgets (city scale); `load` the load bench on the production
    server (bench/load.py: `load_users` users for `load_seconds`, alone and during an import)."""
    from bench.intake import bench_intake
    from bench.page_ready import bench_page_ready
    from bench.rules import bench_rules
    if intake and not only and "city" in scales:
        bench_intake("city")
    for scale in scales:
        timing_rows, layer_rows = bench_scale(scale, repeat, only)
        print_tables(scale, timing_rows, layer_rows)
        if not only:
            bench_rules(scale, bench_db_url(scale))
        if pages and not only:
            bench_page_ready(scale, bench_db_url(scale), PROJECT_ROOT / "var" / "bench" / scale,
                             BENCH_USER, BENCH_PASSWORD)
        if load and not only:
            from bench.load import bench_load
            bench_load(scale, bench_db_url(scale), PROJECT_ROOT / "var" / "bench" / scale, BENCH_USER,
                       BENCH_PASSWORD, users=load_users, duration_s=load_seconds)


if __name__ == "__main__":
    main(["city", "province"])
