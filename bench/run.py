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


def ensure_bench_db(scale: str, url: str | None = None) -> str:
    """Generate the scale's demo database once (at `url`, default the SQLite file
    var/bench/<scale>.db); later runs reuse it."""
    from sqlalchemy import func, select

    from data.model.db import make_engine
    from data.model.migrate import upgrade
    from data.model.schema import DatasetInfo, Region
    from demo import generate

    url = url or bench_db_url(scale)
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        has_data = conn.execute(select(func.count()).select_from(Region)).scalar_one() > 0
        info = DatasetInfo.__table__
        held = conn.execute(select(info.c.value).where(info.c.key == "scale")).scalar()
    if not has_data or held != scale:  # empty, or another scale's demo (a shared PostgreSQL database)
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


def bench_scale(scale: str, repeat: int, only: tuple[str, ...] = (), *, db_url: str | None = None,
                var_name: str | None = None, jobs: bool = True) -> tuple[list[tuple], list[tuple]]:
    """Rows (callback, case, p50, p95, budget) and (layer, bytes, budget) for one scale,
    on `db_url` (default the SQLite bench file) with its var dir var/bench/<var_name or
    scale>; `jobs` also times the one-off jobs (into `job_rows`)."""
    from app import create_app
    from bench.cases import callback_cases, layer_cases

    settings = load_settings({"DATABASE_URL": ensure_bench_db(scale, db_url),
                              "SUNSHINE_VAR_DIR": str(PROJECT_ROOT / "var" / "bench" / (var_name or scale))})
    app = create_app(settings)
    server = app.server
    cache = runtime.cache_of(server)
    timing_rows, layer_rows = [], []
    if jobs:
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
        if jobs:
            job_rows.extend(time_jobs(server, repeat, only))
    runtime.engine_of(server).dispose()
    return timing_rows, layer_rows


def ensure_bench_account(server) -> str:
    """The bench's commission account over the dataset's root (made once); the root."""
    return ensure_bench_account_in(runtime.engine_of(server))


def ensure_bench_account_in(engine) -> str:
    """ensure_bench_account on an engine (the page bench serves the app in a subprocess)."""
    from data import queries
    from data.users import add_user, get_user
    with engine.begin() as conn:
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


def side_by_side_rows(sqlite_rows: list[tuple], pg_rows: list[tuple]) -> list[tuple[str, ...]]:
    """The cells of the SQLite/PostgreSQL table: (callback, case, SQLite p50, p95,
    PostgreSQL p50, p95, budget, ok), rows in SQLite's order, then any only PostgreSQL has;
    a side without the row shows "—" and does not count against ok (✓ when every p95
    present is within the budget)."""
    pg = {(name, case): (p50, p95) for name, case, p50, p95, _ in pg_rows}
    order = [(name, case, budget) for name, case, _, _, budget in sqlite_rows]
    seen = {(name, case) for name, case, _ in order}
    order += [(name, case, budget) for name, case, _, _, budget in pg_rows if (name, case) not in seen]
    lite = {(name, case): (p50, p95) for name, case, p50, p95, _ in sqlite_rows}
    out: list[tuple[str, ...]] = []
    for name, case, budget in order:
        sides = [lite.get((name, case)), pg.get((name, case))]
        cells = [f"{v:.1f}" if side else "—" for side in sides for v in (side or (0, 0))]
        ok = all(side[1] <= budget for side in sides if side)
        out.append((name, case, *cells, str(budget), "✓" if ok else "✗"))
    return out


def print_side_by_side(scale: str, sqlite_rows: list[tuple], pg_rows: list[tuple], pg_url: str) -> None:
    table = Table(title=f"callbacks, server side — {scale} scale, SQLite vs PostgreSQL ({_safe_url(pg_url)})")
    for col in ("callback", "case", "SQLite p50 ms", "SQLite p95 ms", "PostgreSQL p50 ms", "PostgreSQL p95 ms",
                "budget ms", "ok"):
        table.add_column(col)
    for cells in side_by_side_rows(sqlite_rows, pg_rows):
        table.add_row(*cells)
    console.print(table)


def _safe_url(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)


def postgres_problem(url: str) -> str | None:
    """None when PostgreSQL answers at `url` (its database created when absent, the server
    being reachable); else what went wrong, for the bench to say."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError
    try:
        target = make_url(url)
    except ArgumentError as exc:
        return f"not a database URL: {exc}"
    if not target.drivername.startswith("postgresql"):
        return f"not a PostgreSQL URL: {_safe_url(url)}"
    args = {"connect_timeout": 5}
    try:
        engine = create_engine(target, connect_args=args)
        try:
            with engine.connect() as conn:
                conn.execute(text("select 1"))
            return None
        finally:
            engine.dispose()
    except SQLAlchemyError as exc:
        if "does not exist" not in str(exc):
            return str(exc).splitlines()[0]
    try:  # the server answers but the database is absent: create it (dedicated to the bench)
        admin = create_engine(target.set(database="postgres"), connect_args=args, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
        finally:
            admin.dispose()
        console.print(f"created PostgreSQL database {target.database} for the benchmark")
        return None
    except SQLAlchemyError as exc:
        return str(exc).splitlines()[0]


def with_psycopg2(url: str) -> str:
    """postgresql://… with the driver the project installs (psycopg2-binary): SQLAlchemy 2.1
    would otherwise pick psycopg 3."""
    return "postgresql+psycopg2://" + url.removeprefix("postgresql://") if url.startswith("postgresql://") else url


DEFAULT_PG_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/sunshine_bench"
PG_SCALE = "province"


def main(scales: list[str], repeat: int = 30, only: tuple[str, ...] = (), pages: bool = True,
         intake: bool = True, *, callbacks: bool = True, visits: int = 5,
         postgres: str | None = DEFAULT_PG_URL, load: bool = True, load_seconds: int = 120,
         load_users: int = 50) -> None:
    """Bench each scale; `only` keeps the callbacks whose name contains one of its parts;
    `callbacks` the server-side callback, map-layer, job and rule tables; `pages` adds the
    page visits of every navbar page in headless chromium (`visits` cold and warm each,
    bench/page_ready.py); `intake` the import budgets (city scale); `postgres` (a URL, or
    None) the province-scale callbacks again on PostgreSQL, side by side with SQLite; `load`
    the load bench on the production server (bench/load.py: `load_users` users for
    `load_seconds`, alone and during an import)."""
    from bench.intake import bench_intake
    from bench.page_ready import bench_page_ready
    from bench.rules import bench_rules
    from data.model.db import make_engine
    if intake and not only and "city" in scales:
        bench_intake("city")
    for scale in scales:
        if callbacks:
            timing_rows, layer_rows = bench_scale(scale, repeat, only)
            print_tables(scale, timing_rows, layer_rows)
            if scale == PG_SCALE and postgres:
                bench_postgres(scale, repeat, only, postgres, timing_rows)
            if not only:
                bench_rules(scale, bench_db_url(scale))
        if pages and not only:
            engine = make_engine(ensure_bench_db(scale))
            ensure_bench_account_in(engine)  # the page bench signs in with it
            engine.dispose()
            bench_page_ready(scale, bench_db_url(scale), PROJECT_ROOT / "var" / "bench" / f"{scale}-pages",
                             BENCH_USER, BENCH_PASSWORD, visits=visits)
        if load and not only:
            from bench.load import bench_load
            engine = make_engine(ensure_bench_db(scale))
            ensure_bench_account_in(engine)  # the load bench signs in with it
            engine.dispose()
            bench_load(scale, bench_db_url(scale), PROJECT_ROOT / "var" / "bench" / scale, BENCH_USER,
                       BENCH_PASSWORD, users=load_users, duration_s=load_seconds)


def bench_postgres(scale: str, repeat: int, only: tuple[str, ...], url: str, sqlite_rows: list[tuple]) -> None:
    """The scale's callback table on PostgreSQL at `url` (its demo generated once, like the
    SQLite file), printed beside `sqlite_rows`; says so and returns when PostgreSQL is not
    reachable."""
    url = with_psycopg2(url)
    problem = postgres_problem(url)
    if problem:
        console.print(f"[yellow]PostgreSQL not reachable at {_safe_url(url)} ({problem}): SQLite only")
        return
    pg_rows, _ = bench_scale(scale, repeat, only, db_url=url, var_name=f"{scale}-pg", jobs=False)
    print_side_by_side(scale, sqlite_rows, pg_rows, url)


if __name__ == "__main__":
    main(["city", "province"])
