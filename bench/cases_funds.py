"""Benchmark cases of the fund-flows page (/funds): every render callback on the root
region and a spread of counties at the latest weeks, unfiltered and with a Sankey filter;
and the first page of each records-grid list (payments, outstanding payments, ledger,
projects, delayed projects, late disclosures) through callbacks/records.grid_rows."""
from __future__ import annotations

from functools import partial

GRID_CHOICES = ("payments", "outstanding", "ledger", "projects", "delayed", "disclosures")


def funds_states(server) -> list[dict]:
    from bench.cases import overview_states
    states = overview_states(server)
    filtered = [{**s, "category": "social_assistance", "source": "central"} for s in states[::4]]
    return states + filtered


def callback_cases(server):
    from callbacks import funds, records

    resolved = [funds.resolve_state(state)[-1] for state in funds_states(server)]  # untimed
    names = ("render_sankey", "render_progress", "render_overdue", "render_ledger",
             "render_outliers", "render_disclosure", "render_late", "render_projects")
    cases = [("funds.resolve_state", [partial(funds.resolve_state, s) for s in funds_states(server)])]
    for name in names:
        fn = getattr(funds, name)
        cases.append((f"funds.{name}", [partial(fn, r) for r in resolved]))
    request = {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}}  # default order
    for choice in GRID_CHOICES:  # the grid's lists for the page's region and period
        queries = [funds.records_params(choice, r) for r in resolved]
        cases.append((f"funds.records_{choice}", [partial(records.grid_rows, request, q) for q in queries]))
    return cases
