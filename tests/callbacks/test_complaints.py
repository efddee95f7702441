"""Complaints page callbacks called as functions inside a faked request (no browser).

Privacy: every payload this page's callbacks send (including the records grids' rows, as
callbacks/records.py serves them) is serialized and searched for the complainants'
names, phone numbers and ID numbers read from the complaint table: none may appear.
"""
from __future__ import annotations

import json

from sqlalchemy import text

from tests.support.demo import DEMO_COUNTY, DEMO_WEEK
from tests.support.layout import components_by_id, key_of
from tests.support.session import signed_in

STATES = [
    {"region": "431023", "week": "2026-W46", "lang": "zh-CN", "period": "4w", "span": "52w", "by": "category"},
    {"region": "431023", "week": "2026-W46", "lang": "en", "period": "quarter", "span": "104w", "by": "region"},
    {"region": None, "week": None, "lang": "zh-CN", "period": "ytd", "span": "12w", "by": "channel"},
]


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=lambda o: o.to_plotly_json()
                      if hasattr(o, "to_plotly_json") else str(o))


def _all_payloads(state: dict) -> list:
    from callbacks import complaints as cb
    from callbacks import records
    out = list(cb.resolve_state(state))
    resolved = out[-1]
    for fn in (cb.render_trend, cb.render_hotspots, cb.render_handling, cb.render_units, cb.render_services):
        out.append(fn(resolved))
    for query in cb.grid_queries(resolved):
        out.append(records.grid_columns(query))
        out.append(records.grid_rows({"startRow": 0, "endRow": 500}, query))
    return out


def _town(resolved_region: str = DEMO_COUNTY) -> str:
    return resolved_region[:6] + "102000"


def test_every_callback_returns_data(server):
    from callbacks import complaints as cb
    with signed_in(server):
        regions, region, _weeks, week, _asof, _chip, resolved = cb.resolve_state(STATES[0])
        assert region == DEMO_COUNTY and week == "2026-W46" and resolved["period"] == "4w"
        towns = [o for o in regions if o["value"][:6] == "431023" and o["value"] != DEMO_COUNTY]
        assert len(towns) >= 10  # the county's townships are pickable
        base, note = cb.render_trend(resolved)
        figure = base["figure"]
        assert len(figure["data"]) >= 4 and figure["layout"]["meta"]["export"]["region"] == "永兴县"
        rule, _hot, _marks = cb.render_hotspots(resolved)
        assert "α = 0.001" in rule and "8" in rule
        _tiles, funnel, age = cb.render_handling(resolved)
        assert funnel["data"][0]["type"] == "funnel" and len(age["data"]) == 2
        note, _towns_table, _dept_table = cb.render_units(resolved)
        assert "92.0%" in note and "85.0%" in note
        _s_tiles, services, _ratings = cb.render_services(resolved)
        assert services["data"][0]["type"] == "bar"
        open_query, _services_query = cb.grid_queries(resolved)
        assert open_query["source"] == "complaints_open" and open_query["params"]["region"] == DEMO_COUNTY


def test_hotspots_list_the_planted_surge_with_map_and_profile_links(server, demo_engine):
    from callbacks import complaints as cb
    with demo_engine.connect() as conn:
        town = conn.execute(text("SELECT region_code FROM demo_truth WHERE kind = 'complaint_surge'")).scalar_one()
    with signed_in(server):
        resolved = cb.resolve_state(STATES[0])[-1]
        payload = _dump(cb.render_hotspots(resolved)[1])
    assert f'"data-code": "{town}"' in payload
    assert f"/map?region={town}&week=2026-W46" in payload and f"/region/{town}?" in payload


def test_switching_township_changes_the_trend(server):
    from callbacks import complaints as cb
    with signed_in(server):
        county = cb.resolve_state(STATES[0])[-1]
        town = cb.resolve_state({**STATES[0], "region": _town()})[-1]
        assert town["region"] == _town() and town["region_level"] == "township"
        a, b = cb.render_trend(county)[0]["figure"], cb.render_trend(town)[0]["figure"]
    assert a["data"][1]["y"] != b["data"][1]["y"]
    assert sum(b["data"][1]["y"]) < sum(a["data"][1]["y"])


def test_controls_write_the_url():
    from callbacks import complaints as cb
    resolved = {"region": DEMO_COUNTY, "week": "2026-W46", "period": "4w", "span": "52w", "by": "category"}
    assert cb.controls_to_url(DEMO_COUNTY, "2026-W46", "4w", "52w", "category", resolved, "?lang=en") is cb.no_update
    url = cb.controls_to_url(_town(), "2026-W45", "ytd", "104w", "channel", resolved, "?lang=en&x=1")
    assert url == f"?region={_town()}&week=2026-W45&lang=en&period=ytd&span=104w&by=channel"


def test_no_payload_contains_a_complainants_identity(server, demo_engine):
    with demo_engine.connect() as conn:
        people = conn.execute(text(
            "SELECT complainant_name, complainant_phone, complainant_id_number FROM complaint "
            "WHERE village_code LIKE '431023%'")).all()
        places = " ".join(conn.execute(text("SELECT name FROM region")).scalars())
    with signed_in(server):
        payload = "".join(_dump(_all_payloads(state)) for state in STATES)
        payload += _dump(_all_payloads({**STATES[0], "region": _town()}))
    assert "TS431023" in payload  # the grids' rows are in the payload (case numbers)
    phones = {p for _, p, _ in people if p}
    id_numbers = {i for _, _, i in people if i}
    names = {n for n, _, _ in people if n and n not in places}  # a name that is also a place name proves nothing
    assert len(phones) > 1000 and len(names) > 100
    assert [p for p in phones if p in payload] == []
    assert [i for i in id_numbers if i in payload] == []
    assert [n for n in names if n in payload] == []


def test_complaint_text_is_plain_text_in_the_grid():
    """The content column is a plain text cell: no HTML renderer, no markdown."""
    from callbacks import records
    from data.records import get_source
    columns = records.column_defs(get_source("complaints_open"), "zh-CN")
    content = next(c for c in columns if c["field"] == "content")
    assert "cellRenderer" not in content and "dangerously_allow_html" not in json.dumps(columns)


def test_out_of_scope_region_shows_nothing(server):
    from callbacks import complaints as cb
    with signed_in(server):
        assert cb.resolve_state({**STATES[0], "region": "110000"})[1] is None  # Beijing: outside
        forged = {**cb.resolve_state(STATES[0])[-1], "region": "110101000000"}
        _tiles, funnel, age = cb.render_handling(forged)
        hot = cb.render_hotspots(forged)[1]
        _note, towns, _depts = cb.render_units(forged)
    assert funnel["data"] == [] and age["data"] == []  # "no data" figures
    assert "data-code" not in _dump(hot) and "data-code" not in _dump(towns)


def test_week_key_constant():
    assert DEMO_WEEK == 202646


def test_every_listed_township_spike_is_marked_on_the_trend(server, demo_engine):
    """Broken down by category, the township lines are not drawn: the planted surge
    township, listed among the hotspots, is still marked on the total (open diamond)."""
    import datetime as dt

    from callbacks import complaints as cb
    from data.calendar import format_week, week_key
    with demo_engine.connect() as conn:
        code, start = conn.execute(text("SELECT region_code, start_date FROM demo_truth "
                                        "WHERE kind = 'complaint_surge'")).first()
        name = conn.execute(text("SELECT name FROM region WHERE code = :c"), {"c": code}).scalar_one()
    start = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start)[:10])
    week = format_week(week_key(start))
    with signed_in(server):
        resolved = cb.resolve_state({**STATES[0], "week": week, "span": "12w", "by": "category"})[-1]
        _, items, marks = cb.render_hotspots(resolved)
        base = cb.render_trend(resolved)[0]
    assert f'"data-code": "{code}"' in _dump(items)
    assert marks and marks["for"] == base["for"], "no unit spike marks for this trend"
    trace = marks["trace"]
    assert trace["legendgroup"] == "unit_spike" and "y" not in trace  # placed by the page
    at = dict(zip(trace["x"], trace["text"]))
    assert week in at and name in at[week]
    total = [tr for tr in base["figure"]["data"] if tr.get("meta") == "total"]
    assert len(total) == 1 and week in list(total[0]["x"])
    # the page draws them on the total line at their week
    drawn = cb.trend_with_marks(base, marks)["data"]
    placed = next(tr for tr in drawn if tr.get("legendgroup") == "unit_spike")
    x = list(total[0]["x"])
    assert placed["y"][placed["x"].index(week)] == list(total[0]["y"])[x.index(week)]
    assert len(drawn) == len(base["figure"]["data"]) + 1
    assert cb.trend_with_marks(base, {**marks, "for": "another state"}) is base["figure"]  # not of this trend


def test_the_page_arrives_drawn(server):
    """The layout carries the first view the callbacks used to send: pickers, as-of, the
    trend with its marks, every section and the grids' first rows (no callback on load)."""
    from callbacks import complaints as cb
    from pages import complaints as page
    with signed_in(server):
        regions, region, weeks, week, as_of, chip, resolved = cb.resolve_state(STATES[0])
        layout = page.layout(region="431023", week="2026-W46", period="4w", span="52w", by="category")
        base, _note = cb.render_trend(resolved)
        drawn = cb.trend_with_marks(base, cb.render_hotspots(resolved)[2])
    found = components_by_id(layout)

    def by_id(node_id):
        return found[key_of(node_id)]
    import ids
    from ids import chart
    from ids import complaints as cid
    from ids import records as ids_records
    assert by_id(cid.REGION).value == region and by_id(cid.REGION).options == regions
    assert by_id(cid.WEEK).value == week == "2026-W46" and by_id(cid.WEEK).options == weeks
    assert by_id(cid.RESOLVED).data == resolved
    assert _dump(by_id(cid.ASOF).children) == _dump(as_of) and by_id(ids.PAGE_REGION_CHIP).children == chip
    assert by_id(chart(cid.TREND_CHART)).figure == drawn
    assert by_id(cid.UNITS_TOWNSHIPS).children is not None and by_id(cid.HANDLING_TILES).children is not None
    first = by_id(ids_records.first(page.OPEN_GRID)).data
    assert first and first["rowCount"] > 0 and first["rowData"]


def test_unit_spikes_skip_what_the_breakdown_draws():
    import pandas as pd

    from views.complaints import unit_spikes
    hot = pd.DataFrame({"kind": ["township", "category"], "name": ["甲镇", "低保"],
                        "weeks": [[202645, 202646], [202646]]})
    by_region = unit_spikes(hot, "region", "township", "zh-CN")  # townships drawn as lines
    assert by_region.to_dict("list") == {"week_key": [202646], "names": ["低保"]}
    by_category = unit_spikes(hot, "category", "township", "zh-CN")
    assert by_category.to_dict("list") == {"week_key": [202645, 202646], "names": ["甲镇", "甲镇"]}
    by_channel = unit_spikes(hot, "channel", "county", "zh-CN")
    assert by_channel["names"].tolist() == ["甲镇", "低保、甲镇"]
