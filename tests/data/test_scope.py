"""Scope is applied in SQL: nothing outside it, empty sees nothing, forged codes get nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import column, select, table

from data.queries import (
    fetch_child_metrics,
    fetch_children,
    fetch_hot_townships,
    fetch_kpis,
    fetch_region,
    fetch_region_options,
    fetch_trend,
)
from data.scope import EMPTY, OutOfScope, Scope, ensure_in_scope, narrow, scope_condition
from tests.support.small import CA, CB, CITY, PROV, T1, T3, WEEK

A, B = Scope.of("431023"), Scope.of("431024")


def test_scope_basics():
    assert not EMPTY and Scope.of("431000", "431023").codes == frozenset({CITY})
    assert ensure_in_scope("431023", A) == CA
    for bad in ("431024", "43102", "431023100201' OR 1=1 --"):
        with pytest.raises(OutOfScope):
            ensure_in_scope(bad, A)
    assert issubclass(OutOfScope, PermissionError)
    assert narrow(A, CITY) == A and narrow(Scope.of(CITY), CA) == A
    assert narrow(A, CB) == EMPTY and narrow(A, "garbage") == EMPTY


def test_scope_condition_sql():
    t = table("x", column("code"))
    assert "false" in str(scope_condition(t.c.code, EMPTY)).lower() or \
        str(scope_condition(t.c.code, EMPTY)) in ("0 = 1", "false")
    sql = str(select(t).where(scope_condition(t.c.code, A)))
    assert "BETWEEN" in sql and "431023" not in sql  # values are bound parameters


def test_county_scope_never_returns_other_county(conn):
    kids = fetch_child_metrics(conn, A, region_code=CITY, week_key=WEEK)
    assert kids.code.tolist() == [CA]
    hot = fetch_hot_townships(conn, A, region_code=PROV, week_key=WEEK)
    assert hot.code.str.startswith("431023").all() and len(hot) == 2
    assert fetch_children(conn, A, parent_code=CITY).code.tolist() == [CA]
    assert fetch_region_options(conn, B, root_code=PROV).code.tolist() == [CB]
    # A county user asking for the whole city sees their county's numbers only.
    city = fetch_kpis(conn, B, region_code=CITY, week_key=WEEK).set_index("key").value
    own = fetch_kpis(conn, B, region_code=CB, week_key=WEEK).set_index("key").value
    assert city.to_dict() == own.to_dict()


def test_empty_scope_returns_nothing(conn):
    assert fetch_kpis(conn, EMPTY, region_code=PROV, week_key=WEEK).empty
    assert fetch_child_metrics(conn, EMPTY, region_code=PROV, week_key=WEEK).empty
    assert fetch_hot_townships(conn, EMPTY, region_code=PROV, week_key=WEEK).empty
    assert fetch_trend(conn, EMPTY, region_code=PROV, week_key=WEEK).empty
    assert fetch_children(conn, EMPTY, parent_code=CITY).empty
    assert fetch_region(conn, EMPTY, PROV) is None
    assert fetch_region_options(conn, EMPTY, root_code=PROV).empty


@pytest.mark.parametrize("forged", [CB, T3, "431024100201", "999999", "x' OR '1'='1"])
def test_forged_region_returns_no_rows(conn, forged):
    assert fetch_kpis(conn, A, region_code=forged, week_key=WEEK).empty
    assert fetch_child_metrics(conn, A, region_code=forged, week_key=WEEK).empty
    assert fetch_hot_townships(conn, A, region_code=forged, week_key=WEEK).empty
    assert fetch_trend(conn, A, region_code=forged, week_key=WEEK).empty
    assert fetch_region(conn, A, forged) is None
    assert fetch_children(conn, A, parent_code=forged).empty


def test_in_scope_region_is_visible(conn):
    assert fetch_region(conn, A, T1)["name"] == "一镇"
    assert not fetch_trend(conn, A, region_code=CA, week_key=WEEK).empty


def test_on_path_is_the_scope_and_its_ancestors_only():
    from data.scope import EMPTY, Scope
    county = Scope.of("431023")
    assert county.on_path("431023100000") and county.on_path("431000000000") and county.on_path("430000000000")
    assert not county.on_path("431021000000") and not county.on_path("440000000000")
    assert not county.on_path("garbage") and not EMPTY.on_path("430000000000")
