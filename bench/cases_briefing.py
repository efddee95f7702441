"""Benchmark cases of the weekly briefing (/briefing): the preview callbacks, and the
one-off job of writing the PPTX + PDF (budget 10 s at city scale, DESIGN §7 / issue #6)."""
from __future__ import annotations

import tempfile
from pathlib import Path

import runtime

BRIEFING_BUDGET_MS = 10_000


def briefing_states(server) -> list[dict]:
    from bench.cases import overview_states
    return overview_states(server)[:12]


def callback_cases(server):
    from callbacks import briefing, page_state

    states = briefing_states(server)
    resolved = [page_state.resolve_state(state)[-1] for state in states]  # untimed
    return [
        ("briefing.resolve_state", [lambda s=s: page_state.resolve_state(s) for s in states]),
        # the preview: its text first, then its charts (uncached, each builds the briefing)
        ("briefing.render_text", [lambda r=r: briefing.render_text(r) for r in resolved]),
        ("briefing.render_charts", [lambda r=r: briefing.render_charts(r) for r in resolved]),
        ("briefing.poll_job", [lambda: briefing.poll_job(1, {"job": "0" * 20, "lang": "zh-CN"})]),
    ]


def job_cases(server):
    """(name, zero-argument call, budget ms): the root region's PPTX + PDF of the latest week."""
    from bench.cases import bench_regions
    from data.calendar import format_week
    from data.model.version import data_version
    from runtime import current_scope
    from views.briefing_files import write_briefing

    root, _, weeks = bench_regions(server)
    engine = runtime.engine_of(server)
    settings = runtime.settings_of(server)
    out = Path(tempfile.mkdtemp(prefix="bench-briefing-"))

    def run():
        write_briefing(engine, current_scope(), root, format_week(weeks[0]), "zh-CN",
                       {"pptx": out / "briefing.pptx", "pdf": out / "briefing.pdf"},
                       cache_dir=settings.cache_dir, version=data_version(engine),
                       settings=settings)
    return [("briefing.pptx+pdf (root region, latest week)", run, BRIEFING_BUDGET_MS)]
