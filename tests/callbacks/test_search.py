"""Place search callbacks (callbacks/search.py) on the county demo (永兴县), called as functions."""
from __future__ import annotations

import types

from dash import no_update
from sqlalchemy import text

from tests.support.demo import DEMO_COUNTY
from tests.support.session import signed_in


def _two_villages(engine) -> tuple[tuple[str, str], tuple[str, str]]:
    """(code, name) of a village in the first township and of one in another township, with
    a name found only outside the first township."""
    with engine.connect() as conn:
        first = conn.execute(text("SELECT code, name FROM region WHERE level = 'village' AND code LIKE '431023%' "
                                  "ORDER BY code LIMIT 1")).one()
        other = conn.execute(text(
            "SELECT code, name FROM region r WHERE level = 'village' AND code LIKE '431023%' AND substr(code, 1, 9) "
            "<> substr(:c, 1, 9) AND NOT EXISTS (SELECT 1 FROM region s WHERE s.name = r.name AND "
            "substr(s.code, 1, 9) = substr(:c, 1, 9)) ORDER BY code LIMIT 1"), {"c": first.code}).one()
    return (first.code, first.name), (other.code, other.name)


def test_options_name_the_place_and_its_parents(server, demo_engine):
    from callbacks.search import search_options
    (code, name), _ = _two_villages(demo_engine)
    with signed_in(server):
        options = search_options(name)
    picked = next(o for o in options if o["value"] == code)
    assert picked["label"].startswith(f"{name} · ") and picked["label"].endswith("永兴县")
    assert search_options(name) == []  # outside a request: nobody, nothing
    with signed_in(server):
        assert search_options("yxx")[0]["value"] == DEMO_COUNTY
        assert search_options("  ") == [] and search_options(None) == []


def test_a_township_user_never_sees_a_village_of_another_township(server, demo_engine):
    from callbacks.search import search_options
    (code, name), (other_code, other_name) = _two_villages(demo_engine)
    with signed_in(server, role="staff", scope=(code[:9] + "000",)):
        assert [o["value"] for o in search_options(name)] == [code]
        assert search_options(other_name) == [] and search_options(other_code) == []
        assert all(o["value"].startswith(code[:9]) for o in search_options("村"))
    with signed_in(server, role="staff", scope=()):
        assert search_options(name) == []


def test_the_initials_are_made_once_per_scope_and_data_version(server, monkeypatch):
    from callbacks import search
    made = []
    real = search.initials_index
    monkeypatch.setattr(search, "initials_index", lambda *a, **kw: made.append(1) or real(*a, **kw))
    with signed_in(server, scope=(DEMO_COUNTY,)):
        for typed in ("y", "yx", "yxx", "lwx"):
            search.search_options(typed)
    assert made == [1]


def _pick(monkeypatch, value, path="/", search="?region=431023&week=2026-W46&lang=en", boxes=2):
    from callbacks import search as cs
    trigger = [{"prop_id": '{"type":"region-search","where":"navbar"}.value', "value": value}]
    monkeypatch.setattr(cs, "ctx", types.SimpleNamespace(triggered=trigger))
    values = [value] + [None] * (boxes - 1)
    return cs.open_pick(values, path, search)


def test_a_pick_opens_the_place_and_empties_every_box(server, demo_engine, monkeypatch):
    (code, _), _ = _two_villages(demo_engine)
    with signed_in(server):
        href, values = _pick(monkeypatch, code)
        assert href == f"/region/{code}?week=2026-W46&lang=en" and values == [None, None]
        href, _ = _pick(monkeypatch, code[:9] + "000")
        assert href == f"/?region={code[:9]}000&week=2026-W46&lang=en"


def test_a_forged_or_empty_pick_goes_nowhere(server, monkeypatch):
    with signed_in(server, role="staff", scope=(DEMO_COUNTY,)):
        for value in (None, "", "431021000000", "43x", "4310231002019999"):
            # nothing moves, and the wildcard output gets one no_update per box (Dash refuses
            # a bare no_update there)
            assert _pick(monkeypatch, value) == (no_update, [no_update, no_update]), value
