"""Benchmark cases of the clues page (/clues): every callback on the root, a spread of
counties and townships, with and without filters (rule, status, deadline, score), the
list's first page (default order and by amount), and cards of clues of every rule."""
from __future__ import annotations

from functools import partial

import runtime

FILTERS: tuple[dict[str, str], ...] = ({}, {"deadline": "overdue"}, {"status": "verifying"}, {"score": "85"}, {"by": "rule"})


def clue_states(server) -> list[dict]:
    from bench.cases import bench_regions
    from data import queries
    from data.scope import Scope

    root, counties, _ = bench_regions(server)
    picked = counties[:: max(1, len(counties) // 6)][:6]
    with runtime.engine_of(server).connect() as conn:
        towns = queries.fetch_regions_at(conn, Scope.of(root), region_code=picked[0], level="township")["code"][:2]
    regions = [root, *picked, *towns]
    return [{"region": r, "lang": "zh-CN", **FILTERS[i % len(FILTERS)]} for i, r in enumerate(regions)]


def card_ids(server, n: int = 12) -> list[int]:
    """A clue of each rule (the first ones), then the newest, up to n."""
    from sqlalchemy import text
    with runtime.engine_of(server).connect() as conn:
        firsts = [r[0] for r in conn.execute(text("SELECT MIN(id) FROM clue GROUP BY rule ORDER BY rule"))]
        newest = [r[0] for r in conn.execute(text("SELECT id FROM clue ORDER BY id DESC LIMIT :n"), {"n": n})]
    return (firsts + newest)[:n]


def callback_cases(server):
    from callbacks import clues, records

    states = clue_states(server)
    resolved = [clues.resolve_state(s)[-1] for s in states]  # untimed inputs
    queries = [clues.grid_query(r) for r in resolved]
    first = {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}}
    by_amount = {**first, "sortModel": [{"colId": "amount", "sort": "desc"}]}
    cards = card_ids(server)
    return [
        ("clues.resolve_state", [partial(clues.resolve_state, s) for s in states]),
        ("clues.render_tiles", [partial(clues.render_tiles, r) for r in resolved]),
        ("clues.render_funnel", [partial(clues.render_funnel, r) for r in resolved]),
        ("clues.render_rules", [partial(clues.render_rules, r) for r in resolved]),
        ("clues.grid_query", [partial(clues.grid_query, r) for r in resolved]),
        ("clues.records.grid_rows", [partial(records.grid_rows, req, q) for q in queries for req in (first, by_amount)]),
        ("clues.render_card", [partial(clues.render_card, c, None, resolved[0]) for c in cards]),
    ]
