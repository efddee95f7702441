"""Benchmark cases of the hotspot map (/map) and the region profile (/region/<code>).

The drill path at every level: the root, its cities (province scale) and counties, one
township per county and one village per township, at the latest weeks and for several
metrics/periods; the control changes and the value-only recolour (Patch), the side
panel, records-grid pages of every source the map lists (complaints, overdue payments,
clues, disclosures missed), and the profile (period change, crumbs, its records).
`layer_cases`: the bytes of the layers the map draws.
"""
from __future__ import annotations

from pathlib import Path

import runtime

METRICS = ("attention_index", "overdue_rate", "satisfaction_rate", "complaints_per_10k")
PERIODS = ("week", "4w", "quarter")
MORE_METRICS = ("repeat_complaint_rate", "new_clues", "new_clue_amount", "disbursement_rate_ytd",
                "disclosure_on_time_rate", "complaints_received")


def map_regions(server) -> dict[str, list[str]]:
    """Codes per level along the drill path (spread over the dataset, a bounded number)."""
    from bench.cases import bench_regions
    from data import queries
    from data.scope import Scope

    root, counties, _ = bench_regions(server)
    engine = runtime.engine_of(server)
    scope = Scope.of(root)
    picked = counties[:: max(1, len(counties) // 6)][:6]
    with engine.connect() as conn:
        cities = queries.fetch_regions_at(conn, scope, region_code=root, level="city")["code"].tolist()
        towns = [queries.fetch_children(conn, scope, parent_code=c)["code"].iloc[0] for c in picked]
        villages = [queries.fetch_children(conn, scope, parent_code=t)["code"].iloc[0] for t in towns]
    cities = [c for c in cities if c != root][:4]
    return {"root": [root], "city": cities, "county": picked, "township": towns, "village": villages}


def map_states(server) -> list[dict]:
    from bench.cases import bench_regions
    from data.calendar import format_week

    _, _, weeks = bench_regions(server)
    levels = map_regions(server)
    states = []
    for i, region in enumerate(levels["root"] + levels["city"] + levels["county"] + levels["township"]):
        week = format_week(weeks[i % len(weeks)])
        states.append({"region": region, "week": week, "lang": "zh-CN",
                       "metric": METRICS[i % len(METRICS)], "period": PERIODS[i % len(PERIODS)]})
    return states


def callback_cases(server):
    from callbacks import map as cm
    from callbacks import records
    from callbacks import region as cr

    states = map_states(server)
    views = [cm.resolve(s)[0] for s in states]  # untimed inputs
    drawn = [{"region": v["region"], "lang": v["lang"]} for v in views]
    recolour = [cm.controls_to_view(METRICS[(METRICS.index(v["metric"]) + 1) % len(METRICS)],
                                    v["period"], v["week"], v) for v in views]
    clicks = []
    for v in views:  # a click on the first child, as the browser sends it
        fig = cm.render_map(v, None)[0]
        data = fig.get("data") or []
        if data and data[0].get("locations") and data[0].get("name") == "metric":  # regions
            clicks.append(({"points": [{"location": data[0]["locations"][0]}]}, v))
        elif len(data) == 3 and data[1].get("name") == "villages" and data[1].get("customdata"):
            clicks.append(({"points": [{"customdata": data[1]["customdata"][0]}]}, v))
    levels = map_regions(server)
    profiles = [cr.resolve({"region": c, "week": views[0]["week"], "lang": "zh-CN", "period": p})[0]
                for c, p in zip(levels["county"][:2] + levels["township"][:3] + levels["village"][:4],
                                PERIODS * 3)]
    grid_queries = [cm.records_query(choice, v) for v in views
                    for choice in ("complaints", "complaints_overdue", "payments_overdue")]
    request = {"startRow": 0, "endRow": 100, "sortModel": [{"colId": "due_date", "sort": "desc"}],
               "filterModel": {}}
    first_page = {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}}
    by_amount = {**first_page, "sortModel": [{"colId": "amount", "sort": "desc"}]}
    clue_queries = [cm.records_query("clues", v) for v in views]
    disclosure_queries = [cm.records_query("disclosures_missed", v) for v in views]
    choices = [cm.records_choice(m) for m in METRICS]  # untimed: the choice each metric lists
    region_periods = [(PERIODS[(PERIODS.index(v["period"]) + 1) % len(PERIODS)], v) for v in profiles]
    return [
        ("map.resolve", [lambda s=s: cm.resolve(s) for s in states]),
        ("map.render_map", [lambda v=v: cm.render_map(v, None) for v in views]),
        ("map.render_map(patch)", [lambda v=v, d=d: cm.render_map(v, d) for v, d in zip(recolour, drawn)]),
        ("map.render_panel", [lambda v=v: cm.render_panel(v) for v in views]),
        ("map.render_worst", [lambda v=v: cm.render_worst(v) for v in views]),
        ("map.render_note", [lambda v=v: cm.render_note(v) for v in views]),
        ("map.render_crumbs", [lambda v=v: cm.render_crumbs(v) for v in views]),
        ("map.drill", [lambda c=c, v=v: cm.drill(c, v) for c, v in clicks]),
        ("map.controls_to_view", [lambda r=r, v=v: cm.controls_to_view(r["metric"], r["period"], r["week"], v)
                                  for r, v in zip(recolour, views)]),
        ("map.records_choice", [lambda m=m: cm.records_choice(m) for m in (*METRICS, *MORE_METRICS)]),
        ("map.records_query", [lambda c=c, v=v: cm.records_query(c, v) for v in views for c in choices]),
        ("map.records.grid_rows", [lambda q=q: records.grid_rows(request, q) for q in grid_queries]),
        ("records.grid_rows(clues)", [lambda q=q, r=r: records.grid_rows(r, q)
                                      for q in clue_queries for r in (first_page, by_amount)]),
        ("records.grid_rows(disclosures_missed)", [lambda q=q, r=r: records.grid_rows(r, q)
                                                   for q in disclosure_queries for r in (first_page, request)]),
        ("region.resolve", [lambda v=v: cr.resolve({"region": v["region"], "week": v["week"],
                                                     "lang": "zh-CN", "period": v["period"]})
                            for v in profiles]),
        ("region.period_to_view", [lambda p=p, v=v: cr.period_to_view(p, v) for p, v in region_periods]),
        ("region.render_crumbs", [lambda v=v: cr.render_crumbs(v) for v in profiles]),
        ("region.records", [lambda v=v: cr.records(v) for v in profiles]),
        ("region.records.grid_rows", [lambda q=q: records.grid_rows(first_page, q)
                                      for q in [cr.records(v) for v in profiles] if q]),
        ("region.render_profile", [lambda v=v: cr.render_profile(v) for v in profiles]),
        ("region.render_children", [lambda v=v: cr.render_children(v) for v in profiles]),
        ("region.render_timeline", [lambda v=v: cr.render_timeline(v) for v in profiles]),
        ("region.render_trend", [lambda v=v: cr.render_trend(v) for v in profiles]),
    ]


def layer_cases(server):
    """Bytes of the layers the map draws at each level (the browser caches each once)."""
    from bench.cases import COUNTY_LAYER_BUDGET, TOWNSHIP_LAYER_BUDGET
    from data.model.version import data_version
    from geo.layers import cached_layer_bytes
    from views.map import geometry_of

    engine = runtime.engine_of(server)
    cache_dir = Path(runtime.settings_of(server).cache_dir)
    version = data_version(engine)
    levels = map_regions(server)
    rows = []
    with engine.connect() as conn:
        for level in ("root", "city", "county", "township"):
            sizes = []
            for code in levels[level]:
                parent, child = geometry_of({"region": code})
                sizes.append((len(cached_layer_bytes(conn, parent, child, cache_dir, version)), parent, child))
            if sizes:
                size, parent, child = max(sizes)
                budget = COUNTY_LAYER_BUDGET if child in ("city", "county") else TOWNSHIP_LAYER_BUDGET
                rows.append((f"map {level}: {parent} {child} (largest)", size, budget))
    return rows
