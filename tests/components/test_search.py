"""components/search.py: where a pick leads, how a hit reads, the box in the navbar."""
from __future__ import annotations

import json

import pytest

from components.search import box_labels, hit_option, search_href
from data.queries.region_search import RegionHit
from i18n import t

VILLAGE, TOWN, COUNTY, CITY = "431023100201", "431023100000", "431023000000", "431000000000"


@pytest.mark.parametrize(("path", "search", "code", "expected"), [
    ("/", "?region=431000&week=2026-W46&lang=en", COUNTY, "/?region=431023&week=2026-W46&lang=en"),
    ("/", "?week=2026-W46", TOWN, f"/?region={TOWN}&week=2026-W46"),
    ("/map", "?region=431023&metric=overdue_rate", TOWN, f"/map?region={TOWN}"),
    ("/complaints", "?lang=en", CITY, "/complaints?region=431000&lang=en"),
    # a village: the dashboards stop at townships, so its profile (week and lang kept)
    ("/", "?region=431023&week=2026-W46&lang=en", VILLAGE, f"/region/{VILLAGE}?week=2026-W46&lang=en"),
    ("/funds", "", VILLAGE, f"/region/{VILLAGE}"),
    # the briefing is written for a county or a city
    ("/briefing", "?week=2026-W46", COUNTY, "/briefing?region=431023&week=2026-W46"),
    ("/briefing", "?week=2026-W46", TOWN, f"/region/{TOWN}?week=2026-W46"),
    # on a profile, another profile; pages without a region open the profile
    (f"/region/{VILLAGE}", "?week=2026-W46&period=4w", CITY, f"/region/{CITY}?week=2026-W46"),
    ("/data", "?lang=en", COUNTY, f"/region/{COUNTY}?lang=en"),
    (None, None, TOWN, f"/?region={TOWN}"),
])
def test_a_pick_opens_on_the_current_page_or_as_a_profile(path, search, code, expected):
    assert search_href(path, search, code) == expected


def test_an_option_names_the_place_and_its_parents_and_is_found_by_what_was_typed():
    hit = RegionHit(VILLAGE, "云洞村", "village", ("云江乡", "永兴县"), "ydc")
    option = hit_option(hit, "ydc")
    assert option["label"] == "云洞村 · 云江乡 · 永兴县" and option["value"] == VILLAGE
    assert all(part in option["search"].split() for part in ("ydc", "云洞村", VILLAGE))
    assert hit_option(RegionHit("430000000000", "湖南省", "province"), "湖南")["label"] == "湖南省"


def test_labels_follow_the_language_and_the_navbar_gets_the_short_placeholder():
    assert box_labels("zh-CN")["placeholder"] == "搜索地区：名称、代码或拼音首字母"
    assert box_labels("en", "navbar")["placeholder"] == t("search.placeholder_short", "en")
    assert box_labels("en")["labels"]["no_options_found"] == t("search.none", "en")


def _ids(node) -> list[str]:
    found = []
    if hasattr(node, "to_plotly_json"):
        if getattr(node, "id", None) is not None:
            found.append(json.dumps(node.id, sort_keys=True))
        children = getattr(node, "children", None)
        for child in children if isinstance(children, (list, tuple)) else [children]:
            found += _ids(child)
    return found


@pytest.mark.parametrize(("role", "shown"), [("commission", True), ("staff", True), ("leader", True),
                                             ("auditor", False), ("admin", False)])
def test_the_navbar_has_the_box_for_the_roles_that_may_open_what_it_opens(role, shown):
    from components.navbar import navbar
    box = json.dumps({"type": "region-search", "where": "navbar"}, sort_keys=True)
    assert (box in _ids(navbar("zh-CN", role))) is shown
