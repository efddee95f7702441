"""Benchmark cases of the big screen (/screen): its callbacks on the overview's states
(root region and a spread of counties at the latest weeks), at 1920×1080."""
from __future__ import annotations

from functools import partial

VIEWPORT = {"w": 1920, "h": 1080}


def callback_cases(server):
    from bench.cases import overview_states
    from callbacks import screen

    states = [{**s, "refresh": 300, "rotate": 0} for s in overview_states(server)]
    resolved = [screen.resolve_state(VIEWPORT, 0, s)[-1] for s in states]  # untimed
    cases = [("screen.resolve_state", [partial(screen.resolve_state, VIEWPORT, 1, s) for s in states])]
    for name in ("render_kpis", "render_map", "render_trend", "render_hot", "render_units"):
        fn = getattr(screen, name)
        cases.append((f"screen.{name}", [partial(fn, r) for r in resolved]))
    return cases
