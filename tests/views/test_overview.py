"""views/overview.py: the region picker's options keep the region a page shows."""
from __future__ import annotations

from views.overview import with_region

CITY = {"label": "郴州市", "value": "431000000000"}
COUNTY = {"label": "\u3000永兴县", "value": "431023000000"}
OTHER = {"label": "\u3000嘉禾县", "value": "431024000000"}


def test_a_township_goes_after_its_county_one_step_further_in():
    options = with_region([CITY, COUNTY, OTHER], "431023100000", "云江乡")
    assert options == [CITY, COUNTY, {"label": "\u3000\u3000云江乡", "value": "431023100000"}, OTHER]


def test_a_listed_region_or_none_leaves_the_options_as_they_are():
    options = [CITY, COUNTY]
    assert with_region(options, "431023000000", "永兴县") is options
    assert with_region(options, None, None) is options


def test_a_region_with_no_listed_ancestor_goes_last_under_its_code_if_unnamed():
    assert with_region([COUNTY], "431024100000", None) == [COUNTY, {"label": "431024100000", "value": "431024100000"}]
