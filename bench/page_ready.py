"""Page visits in headless Debian chromium (DESIGN §7: first page ready ≤ 1.5 s, a page
visited again ≤ 1.2 s), for every navbar page of the commission's role.

What one visit measures (in the page's own clock, from navigation start, `performance.now()`):

- **ready**: the page's root (`#_pages_content .sun-page`) is rendered, no element is
  marked loading (tools/screenshot.READY_JS) and no Dash callback request is in flight,
  and this has held for SETTLE_MS (a callback chain may start one tick after another
  ends). The time is the start of that stable stretch.
- **charts drawn**: ready, and every Plotly chart whose bounding box intersects the
  viewport is drawn (CHARTS_DRAWN_JS: a `.js-plotly-plot` with `_fullLayout`, a
  `.main-svg`, Plotly not replotting nor waiting on a promise such as a topojson fetch,
  no `dash-graph--pending` / loading wrapper). Charts below the fold are ignored. Also the
  start of a stretch that held for SETTLE_MS, so never earlier than ready.
- **JS bytes**: the script resources the page fetched until then (Resource Timing):
  `transferSize` (bytes on the wire, headers included; 0 when read from the browser
  cache) and `decodedBodySize` (the uncompressed JavaScript).
- **callback requests**: the POST `/_dash-update-component` requests started before
  ready (counted by a `fetch` wrapper installed before the page's scripts run).
- **rounds**: the longest chain of those requests in which each one started after the
  previous one's response had fully arrived (`callback_rounds`): the number of
  callback round trips the user waits for one after another. 0 when the first view
  comes in the layout; 1 when every callback fires at load in parallel.

Cold visit: a fresh browser context (empty HTTP cache; the session cookie of one earlier
sign-in is copied in) and the served app's cache emptied just before (every file under
its CACHE_DIR: flask-caching's `flask/` store and the map layers in `geo/`). The server
process itself stays up, so its imports, in-process memos and the OS's file cache of the
database stay warm: "the first user after the data changed", not "the first request
after a restart". Warm visit: the same context again, new tab each time, after one
untimed visit (scripts from the browser cache, results from the server cache).
Each figure is the median of `visits` visits.
"""
from __future__ import annotations

import math
import shutil
import statistics
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tools.screenshot import CHROMIUM_ARGS, READY_JS
from tools.signin import sign_in

BUDGET_COLD_MS = 1500
BUDGET_WARM_MS = 1200
SETTLE_MS = 100
VISIT_TIMEOUT_MS = 120_000  # a visit still not ready then counts as a timeout (infinite time)
console = Console()

# Installed before any script of the page: records every Dash callback request
# (start, end = its response body fully received) and how many are in flight.
INIT_JS = """(() => {
  const b = window.__bench = {calls: [], inflight: 0, readyAt: null, chartsAt: null};
  try { performance.setResourceTimingBufferSize(5000); } catch (e) {}
  const orig = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : (input && input.url) || String(input);
    if (!url.includes('/_dash-update-component')) return orig.apply(this, arguments);
    const rec = {start: performance.now(), end: null};
    b.calls.push(rec); b.inflight++;
    const done = () => { if (rec.end === null) { rec.end = performance.now(); b.inflight--; } };
    const p = orig.apply(this, arguments);
    p.then(r => r.clone().arrayBuffer().then(done, done), done);
    return p;
  };
})();"""

# Every Plotly chart intersecting the viewport is drawn (see the module docstring).
CHARTS_DRAWN_JS = """() => {
  const vw = window.innerWidth, vh = window.innerHeight;
  const inView = el => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < vh && r.left < vw; };
  const els = [...document.querySelectorAll('.dash-graph, .js-plotly-plot')].filter(inView);
  for (const el of els) {
    if (el.classList.contains('dash-graph--pending') || el.closest('[data-dash-is-loading="true"]')) return false;
    const gd = el.classList.contains('js-plotly-plot') ? el : el.querySelector('.js-plotly-plot');
    if (!gd) return false;  // plotly.js not loaded yet, or the graph not plotted
    const fl = gd._fullLayout;
    if (!fl || fl._replotting || !gd.querySelector('.main-svg')) return false;
    if (gd._promises && gd._promises.length) return false;
  }
  return true;
}"""

# Polled by playwright: stamps the start of the stable stretches; true when both held SETTLE_MS.
WAIT_JS = f"""() => {{
  const b = window.__bench; if (!b) return false;
  const now = performance.now();
  const ready = ({READY_JS})() && b.inflight === 0;
  const charts = ready && ({CHARTS_DRAWN_JS})();
  if (!ready) b.readyAt = null; else if (b.readyAt === null) b.readyAt = now;
  if (!charts) b.chartsAt = null; else if (b.chartsAt === null) b.chartsAt = now;
  return ready && charts && now - b.readyAt >= {SETTLE_MS} && now - b.chartsAt >= {SETTLE_MS};
}}"""

RESULT_JS = """() => {
  const b = window.__bench;
  const js = performance.getEntriesByType('resource').filter(e =>
    e.initiatorType === 'script' || /\\.js$/.test(new URL(e.name).pathname));
  const sum = k => js.reduce((s, e) => s + (e[k] || 0), 0);
  return {readyAt: b.readyAt, chartsAt: b.chartsAt,
          calls: b.calls.map(c => [c.start, c.end === null ? Infinity : c.end]),
          jsTransfer: sum('transferSize'), jsDecoded: sum('decodedBodySize'), jsFiles: js.length};
}"""


@dataclass(frozen=True)
class Visit:
    ready_ms: float
    charts_ms: float
    js_transfer: int      # bytes on the wire (0 from the browser cache)
    js_decoded: int       # bytes of JavaScript after decompression
    requests: int         # callback requests started before ready
    rounds: int           # callback_rounds of those requests


@dataclass(frozen=True)
class PageRow:
    path: str
    cold: list[Visit]
    warm: list[Visit]


def callback_rounds(spans: list[tuple[float, float]]) -> int:
    """The longest chain of requests r1 … rk with start(r[i+1]) ≥ end(r[i]), from
    (start, end) times: how many callback round trips happened one after another.

    Requests fired together (before any of them answered) are one round; a request sent
    after a response arrived is one round deeper than the deepest request that had
    answered by then. [] → 0."""
    depth: list[tuple[float, int]] = []  # (end, depth) of the requests seen so far
    best = 0
    for start, end in sorted(spans):
        before = [d for e, d in depth if e <= start]
        mine = 1 + max(before, default=0)
        depth.append((end, mine))
        best = max(best, mine)
    return best


def visit_of(result: dict, timed_out: bool = False) -> Visit:
    """A Visit from RESULT_JS's answer; a visit that timed out has infinite times (and
    counts every request it sent)."""
    ready = math.inf if timed_out or result["readyAt"] is None else float(result["readyAt"])
    charts = math.inf if timed_out or result["chartsAt"] is None else float(result["chartsAt"])
    spans = [(float(s), float(e)) for s, e in result["calls"] if float(s) <= ready]
    return Visit(ready_ms=ready, charts_ms=charts, js_transfer=int(result["jsTransfer"]),
                 js_decoded=int(result["jsDecoded"]), requests=len(spans), rounds=callback_rounds(spans))


def _visit(context, url: str) -> Visit:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    tab = context.new_page()
    try:
        tab.goto(url, timeout=VISIT_TIMEOUT_MS)
        try:
            tab.wait_for_function(WAIT_JS, timeout=VISIT_TIMEOUT_MS, polling="raf")
        except PlaywrightTimeout:
            return visit_of(tab.evaluate(RESULT_JS), timed_out=True)
        return visit_of(tab.evaluate(RESULT_JS))
    finally:
        tab.close()


def clear_server_cache(cache_dir: Path) -> None:
    """Empty the served app's CACHE_DIR (flask-caching files and map layers)."""
    if cache_dir.exists():
        for child in cache_dir.iterdir():
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
    (cache_dir / "flask").mkdir(parents=True, exist_ok=True)


def page_visit_rows(base: str, paths: list[str], cache_dir: Path, *, visits: int = 5, user: str = "",
                    password: str = "") -> list[PageRow]:
    """`visits` cold and `visits` warm visits of each path (see the module docstring)."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                     headless=True, args=CHROMIUM_ARGS)

        def new_context(state=None):
            context = browser.new_context(viewport={"width": 1400, "height": 900}, storage_state=state)
            context.add_init_script(INIT_JS)
            return context

        state = None
        if user:  # one sign-in, not part of any page's time; its cookie goes into every context
            login = new_context()
            tab = login.new_page()
            sign_in(tab, base, user, password)
            tab.wait_for_function(WAIT_JS, timeout=VISIT_TIMEOUT_MS, polling="raf")
            state = login.storage_state()
            login.close()
        for path in paths:
            cold = []
            for _ in range(visits):
                clear_server_cache(cache_dir)
                context = new_context(state)
                cold.append(_visit(context, base + path))
                context.close()
            context = new_context(state)
            _visit(context, base + path)  # fills the browser cache
            warm = [_visit(context, base + path) for _ in range(visits)]
            context.close()
            rows.append(PageRow(path, cold, warm))
            console.print("  " + " | ".join(f"{col}: {cell}" for col, cell in
                                            zip(PAGE_COLUMNS, page_table_rows(rows[-1:])[0])), highlight=False)
        browser.close()
    return rows


def _ms(value: float) -> str:
    return f"{value:.0f}" if math.isfinite(value) else "timeout"


def _median(visits: list[Visit], field: str) -> float:
    return statistics.median(getattr(v, field) for v in visits)


def page_table_rows(rows: list[PageRow]) -> list[tuple[str, ...]]:
    """The printed cells per page: path, cold ready, cold charts, warm ready, warm charts
    (medians, ms), cold JS KB transferred/decoded, warm JS KB transferred, callback
    requests and rounds (cold medians), the budgets and ✓/✗ (cold charts drawn ≤ cold
    budget and warm charts drawn ≤ warm budget)."""
    out: list[tuple[str, ...]] = []
    for row in rows:
        cold_ready, cold_charts = _median(row.cold, "ready_ms"), _median(row.cold, "charts_ms")
        warm_ready, warm_charts = _median(row.warm, "ready_ms"), _median(row.warm, "charts_ms")
        ok = cold_charts <= BUDGET_COLD_MS and warm_charts <= BUDGET_WARM_MS
        out.append((row.path, _ms(cold_ready), _ms(cold_charts), _ms(warm_ready), _ms(warm_charts),
                    f"{_median(row.cold, 'js_transfer') / 1024:.0f} / {_median(row.cold, 'js_decoded') / 1024:.0f}",
                    f"{_median(row.warm, 'js_transfer') / 1024:.0f}",
                    f"{_median(row.cold, 'requests'):g}", f"{_median(row.cold, 'rounds'):g}",
                    f"{BUDGET_COLD_MS} / {BUDGET_WARM_MS}", "✓" if ok else "✗"))
    return out


PAGE_COLUMNS = ("page", "cold ready ms", "cold charts ms", "warm ready ms", "warm charts ms",
                "JS KB cold (wire / decoded)", "JS KB warm (wire)", "callback requests", "rounds",
                "budget ms cold / warm", "ok")


def page_table(scale: str, rows: list[PageRow], visits: int) -> Table:
    table = Table(title=f"page visits in headless chromium — {scale} scale, median of {visits} "
                        "(cold: new browser context + server cache emptied; warm: same context)")
    for col in PAGE_COLUMNS:
        table.add_column(col)
    for cells in page_table_rows(rows):
        table.add_row(*cells)
    return table


def bench_page_ready(scale: str, db_url: str, var_dir: Path, user: str, password: str, *,
                     visits: int = 5, only_pages: tuple[str, ...] = ()) -> list[PageRow]:
    """Serve the scale's bench database with its own var dir and print the page-visit
    table (the pages of the commission's role, signed in as `user`)."""
    from components.navbar import visible_pages
    from tools.serve import running_app

    if not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        console.print("[yellow]page visits: skipped, Debian chromium not installed (make system-deps)")
        return []
    paths = [path for _, path in visible_pages("commission")]
    if only_pages:
        paths = [p for p in paths if p in only_pages]
    with running_app(db_url, var_dir) as base:
        rows = page_visit_rows(base, paths, var_dir / "cache", visits=visits, user=user, password=password)
    console.print(page_table(scale, rows, visits))
    return rows
