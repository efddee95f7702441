"""Benchmark cases of the complaints page (/complaints): every callback on the root region,
a spread of counties and a few townships at the latest weeks, with the widest trend span
(104 weeks) and every breakdown."""
from __future__ import annotations

from functools import partial

import runtime

BREAKDOWNS = ("category", "channel", "region")


def complaints_states(server) -> list[dict]:
    from bench.cases import bench_regions, overview_states
    from data import queries
    from data.scope import Scope

    states = overview_states(server)
    root, counties, _weeks = bench_regions(server)
    engine = runtime.engine_of(server)
    with engine.connect() as conn:
        towns = queries.fetch_regions_at(conn, Scope.of(root), region_code=counties[0], level="township")
    week = states[0]["week"]
    states += [{"region": code, "week": week, "lang": "zh-CN"} for code in towns["code"][:3]]
    out = []
    for i, state in enumerate(states):
        out.append({**state, "period": ("4w", "quarter", "ytd", "week")[i % 4],
                    "span": ("104w", "52w", "26w", "12w")[i % 4], "by": BREAKDOWNS[i % 3]})
    return out


def callback_cases(server):
    from callbacks import complaints

    states = complaints_states(server)
    resolved = [complaints.resolve_state(state)[-1] for state in states]  # untimed inputs
    cases = [("complaints.resolve_state", [partial(complaints.resolve_state, s) for s in states])]
    for name in ("render_trend", "render_hotspots", "render_handling", "render_units",
                 "render_services", "grid_queries"):
        fn = getattr(complaints, name)
        cases.append((f"complaints.{name}", [partial(fn, r) for r in resolved]))
    cases.append(("complaints.records_open", [partial(_grid_page, server, r, "complaints_open") for r in resolved]))
    cases.append(("complaints.records_services",
                  [partial(_grid_page, server, r, "services_overdue") for r in resolved]))
    return cases


def _grid_page(server, resolved, source):
    """The first page of a records grid, as callbacks/records.py reads it."""
    from data.records import fetch_records
    from runtime import current_scope
    engine = runtime.engine_of(server)
    with engine.connect() as conn:
        return fetch_records(conn, current_scope(), source,
                             {"region": resolved["region"], "as_of": resolved.get("as_of")},
                             offset=0, limit=100)
