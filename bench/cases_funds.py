"""Benchmark cases of the fund-flows page (/funds): every render callback on the root
region and a spread of counties at the latest weeks, unfiltered and with a Sankey filter."""
from __future__ import annotations


def funds_states(server) -> list[dict]:
    from bench.cases import overview_states
    states = overview_states(server)
    filtered = [{**s, "category": "social_assistance", "source": "central"} for s in states[::4]]
    return states + filtered


def callback_cases(server):
    from callbacks import funds

    resolved = [funds.resolve_state(state)[-1] for state in funds_states(server)]  # untimed
    names = ("render_sankey", "render_progress", "render_overdue", "render_ledger",
             "render_outliers", "render_disclosure", "render_late", "render_projects")
    cases = [("funds.resolve_state", [lambda s=s: funds.resolve_state(s) for s in funds_states(server)])]
    for name in names:
        fn = getattr(funds, name)
        cases.append((f"funds.{name}", [lambda r=r, fn=fn: fn(r) for r in resolved]))
    return cases
