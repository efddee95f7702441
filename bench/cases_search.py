"""Benchmark cases of the place search box (callbacks/search.py): what the server does for
the text once typing pauses, for names, pinyin initials and codes as a person types them.
Uncached, each call also builds the scope's pinyin initials (the first search after a data
load); cached, it reads them from the cache, as every later keystroke does."""
from __future__ import annotations

from functools import partial

import runtime


def typed_texts(server) -> list[str]:
    """Prefixes of a village name, a county's initials, code prefixes, a common word, a miss."""
    from bench.cases import bench_regions
    from data import queries
    from data.queries.region_search import pinyin_initials
    from data.scope import Scope

    root, counties, _weeks = bench_regions(server)
    with runtime.engine_of(server).connect() as conn:
        villages = queries.fetch_regions_at(conn, Scope.of(root), region_code=counties[0], level="village")
        county = queries.fetch_region(conn, Scope.of(root), counties[-1]) or {"name": ""}
    name, initials = str(villages["name"].iloc[len(villages) // 2]), pinyin_initials(county["name"])
    texts = [name[:n] for n in range(1, len(name) + 1)] + [initials[:n] for n in range(1, len(initials) + 1)]
    return [*texts, root[:4], counties[0][:6], villages["code"].iloc[0][:10], "村", "zzzz"]


def callback_cases(server):
    from callbacks import search

    return [("search.search_options", [partial(search.search_options, text) for text in typed_texts(server)])]
