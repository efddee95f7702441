"""Overview callbacks called as functions inside a faked request (no server, no browser)."""
from __future__ import annotations

import json

from dash import no_update

from tests.support.demo import DEMO_COUNTY, DEMO_WEEK
from tests.support.session import signed_in


def _resolved(week="2026-W46", region="431023", lang="zh-CN"):
    from callbacks import page_state
    return page_state.resolve_state({"region": region, "week": week, "lang": lang})


def test_resolve_state_fills_pickers_and_defaults(server):
    with signed_in(server):
        regions, region, weeks, week, _asof, chip, resolved = _resolved(week=None, region=None)
    assert region == DEMO_COUNTY and week == "2026-W46"
    assert regions[0]["value"] == DEMO_COUNTY and not regions[0]["label"].startswith("\u3000")
    assert weeks[0]["value"] == "2026-W46" and len(weeks) >= 100
    assert resolved["region_name"] in chip


def test_render_functions_return_data_for_the_week(server):
    from callbacks import overview
    with signed_in(server):
        resolved = _resolved()[-1]
        tiles = overview.render_kpis(resolved)
        figure, note = overview.render_map(resolved)
        trend = overview.render_trend(resolved)
        hot = overview.render_hot(resolved)
    assert "sun-kpi" in json.dumps(tiles, default=lambda o: o.to_plotly_json())
    assert figure["data"][0]["type"] == "choropleth" and len(figure["data"][0]["locations"]) > 10
    assert figure["layout"]["meta"]["export"]["period"] == "2026-W46"
    assert note  # townships of the demo are synthetic, and the map says so
    assert len(trend["data"]) >= 1
    assert json.dumps(hot, default=lambda o: o.to_plotly_json()).count("sun-hot-item") == 10


def test_out_of_scope_region_shows_nothing(server):
    from callbacks import overview
    with signed_in(server):
        region = _resolved(region="110000")[1]  # Beijing: outside the user's scope
        assert region is None
        forged = {**_resolved()[-1], "region": "110101000000"}  # a forged resolved state
        payload = json.dumps(overview.render_kpis(forged), default=lambda o: o.to_plotly_json())
        hot = json.dumps(overview.render_hot(forged), default=lambda o: o.to_plotly_json())
    assert "sun-kpi-value" not in payload and "sun-hot-item" not in hot


def test_week_picker_change_becomes_the_url(server):
    from callbacks import overview
    with signed_in(server):
        resolved = _resolved()[-1]
        assert overview.pickers_to_url(DEMO_COUNTY, "2026-W46", resolved, "?lang=en") is no_update
        href = overview.pickers_to_url(DEMO_COUNTY, "2026-W45", resolved, "?lang=en")
    assert "week=2026-W45" in href and "lang=en" in href and str(DEMO_WEEK - 1)[:4] in href


def test_overview_and_screen_maps_are_svg_and_name_every_unit(server):
    """The attention map (the overview's, restyled for the big screen) has no WebGL trace
    and names every unit it colours; the screen's names grow with the wall and read light
    on a dark halo."""
    from callbacks import overview, screen
    from figures.geo import LABEL_SIZE
    from figures.screen import TEXT
    with signed_in(server):
        resolved = _resolved()[-1]
        figure, _ = overview.render_map(resolved)
        wall = {**resolved, "viewport": {"w": 3840, "h": 2160}}
        big = screen.render_map(wall)
    webgl = {"choroplethmap", "scattermap", "densitymap", "scattermapbox", "choroplethmapbox"}
    for fig in (figure, big):
        assert [d["type"] for d in fig["data"]] == ["choropleth", "scattergeo"]
        assert not {d["type"] for d in fig["data"]} & webgl and "map" not in fig["layout"]
        names, regions = fig["data"][1], fig["data"][0]
        assert names["mode"] == "text" and sorted(names["text"]) == sorted(regions["text"])
    assert set(figure["data"][1]["textfont"]["size"]) == {LABEL_SIZE}  # every township's name fits
    assert max(big["data"][1]["textfont"]["size"]) >= 3 * LABEL_SIZE  # 4K wall: 41 px
    assert big["data"][1]["textfont"]["color"] == TEXT
