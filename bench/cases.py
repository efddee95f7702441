"""What `make bench` times: the callback functions of every page, on realistic inputs.

`callback_cases(server)` returns (callback name, [zero-argument calls]); each call runs a
registered callback function exactly as Dash would, inside the caller's request context.
The overview's cases live here; a page adds its own in `bench/cases_<page>.py` with the
same two functions (found by name, so pages are benched as they land).
`layer_cases(server)` returns (layer, bytes sent to the browser, budget).
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from functools import partial
from pathlib import Path

import runtime

COUNTY_LAYER_BUDGET = 300_000
TOWNSHIP_LAYER_BUDGET = 200_000
WEEKS_PER_REGION = 3  # the latest weeks, where users look


def bench_regions(server) -> tuple[str, list[str], list[int]]:
    """The dataset root, its counties and the most recent weeks (what users open)."""
    from data import queries
    from data.scope import Scope

    engine = runtime.engine_of(server)
    with engine.connect() as conn:
        root = queries.fetch_dataset_info(conn)["root_code"]
        counties = queries.fetch_regions_at(conn, Scope.of(root), region_code=root, level="county")
        weeks = queries.fetch_weeks(conn)[:WEEKS_PER_REGION]
    return root, sorted(counties["code"]), weeks


def overview_states(server) -> list[dict]:
    """URL states of the overview: the root and up to 12 counties, each at recent weeks."""
    from data.calendar import format_week

    root, counties, weeks = bench_regions(server)
    regions = [root, *bench_cities(server, root), *counties[:: max(1, len(counties) // 12)][:12]]
    return [{"region": r, "week": format_week(w), "lang": "zh-CN"} for r in regions for w in weeks]


def bench_cities(server, root: str, n: int = 3) -> list[str]:
    """Up to n cities under a province root (the level between province and county,
    where the largest township tables of a city are read); none under a city root."""
    from data import queries
    from data.codes import level_of
    from data.scope import Scope

    if level_of(root) != "province":
        return []
    with runtime.engine_of(server).connect() as conn:
        cities = sorted(queries.fetch_regions_at(conn, Scope.of(root), region_code=root, level="city")["code"])
    return cities[:: max(1, len(cities) // n)][:n]


def _overview_cases(server) -> list[tuple[str, list[Callable[[], object]]]]:
    from callbacks import overview
    from callbacks.page_state import resolve_state

    states = overview_states(server)
    resolved = [resolve_state(state)[-1] for state in states]  # untimed inputs
    return [
        ("overview.resolve_state", [partial(resolve_state, s) for s in states]),
        ("overview.render_kpis", [partial(overview.render_kpis, r) for r in resolved]),
        ("overview.render_map", [partial(overview.render_map, r) for r in resolved]),
        ("overview.render_hot", [partial(overview.render_hot, r) for r in resolved]),
        ("overview.render_trend", [partial(overview.render_trend, r) for r in resolved]),
    ]


def _overview_layers(server) -> list[tuple[str, int, int]]:
    from data.model.version import data_version
    from geo.layers import cached_layer_bytes

    root, counties, _ = bench_regions(server)
    engine = runtime.engine_of(server)
    cache_dir = Path(runtime.settings_of(server).cache_dir)
    version = data_version(engine)
    rows = []
    with engine.connect() as conn:
        size = len(cached_layer_bytes(conn, root, "county", cache_dir, version))
        rows.append((f"{root} counties", size, COUNTY_LAYER_BUDGET))
        biggest = max((len(cached_layer_bytes(conn, c, "township", cache_dir, version)), c) for c in counties)
        rows.append((f"{biggest[1]} townships (largest county)", biggest[0], TOWNSHIP_LAYER_BUDGET))
    return rows


def _page_modules():
    """bench/cases_<page>.py modules, in name order."""
    package = Path(__file__).resolve().parent
    for info in sorted(pkgutil.iter_modules([str(package)]), key=lambda m: m.name):
        if info.name.startswith("cases_"):
            yield importlib.import_module(f"bench.{info.name}")


def callback_cases(server) -> list[tuple[str, list[Callable[[], object]]]]:
    cases = _overview_cases(server)
    for module in _page_modules():
        cases += module.callback_cases(server)
    return cases


def layer_cases(server) -> list[tuple[str, int, int]]:
    rows = _overview_layers(server)
    for module in _page_modules():
        if hasattr(module, "layer_cases"):
            rows += module.layer_cases(server)
    return rows
