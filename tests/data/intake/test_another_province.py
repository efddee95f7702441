"""A county outside Hunan (淳安县, Zhejiang 330127) imports its own townships, villages and
facts into an empty database: the base tree knows the county, its townships get synthetic
cells of its real outline, villages points inside them, and the overview and the map work
over it. Traps of a real file ride along: references to a village nobody sent, a formula
and a script in complaint text kept byte for byte."""
from __future__ import annotations

import json

import pytest
import shapely
from sqlalchemy import select, text

from data.intake.service import import_paths
from data.model.schema import Complaint, Region, RegionBoundary
from geo.boundaries import parse_geometry
from tests.support.intake import empty_engine
from tests.support.session import signed_in

COUNTY = "330127000000"
TOWNS = ["330127100000", "330127101000", "330127102000"]
VILLAGES = [t[:9] + f"{200 + i:03d}" for t in TOWNS for i in range(2)]
FORMULA = '=HYPERLINK("http://x","点我") 反映村里的账'
SCRIPT = "<img src=x onerror=alert(1)> 低保不公"


def _write(folder, name, rows):
    (folder / name).write_text("\n".join(rows) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def chun_an(tmp_path_factory):
    folder = tmp_path_factory.mktemp("chun_an")
    regions = ["区划代码,名称,层级,上级代码,户籍人口,经度,纬度"]
    regions += [f"{t},第{i + 1}镇,乡镇,{COUNTY},," for i, t in enumerate(TOWNS)]
    regions += [f"{v},{v[-3:]}村,村,{v[:9]}000,1500,," for v in VILLAGES]
    _write(folder, "regions.csv", regions)
    _write(folder, "fund_programs.csv", ["项目编码,项目名称,资金类别,资金来源", "ZJDB,最低生活保障,社会救助,省级"])
    _write(folder, "fund_payments_2026-10.csv", ["发放流水号,项目编码,村代码,受益人标识,发放金额,所属期间,应发日期,实发日期"] + [
        f"ZF{i:04d},ZJDB,{VILLAGES[i % 6]},B{i:05d},800.00,2026-10,2026-10-10,2026-10-{8 + i % 5:02d}"
        for i in range(30)] + ["ZF9999,ZJDB,330127999999,B99999,800.00,2026-10,2026-10-10,"])
    _write(folder, "village_ledger.csv", ["凭证号,村代码,记账日期,收支类型,会计科目,金额"] + [
        f"JZ-{i},{VILLAGES[i % 6]},2026-11-{1 + i % 20:02d},{'支出' if i % 3 else '收入'},办公费,{100 + i}.50"
        for i in range(40)])
    # the third quarter's village affairs: on time, 5 days late, not yet published, one village sent none
    _write(folder, "disclosures.csv", ["公开事项编号,村代码,公开类别,所属期间,应公开日期,实际公开日期",
                                       f"GK-1,{VILLAGES[0]},村务公开,2026-Q3,2026-10-10,2026-10-08",
                                       f"GK-2,{VILLAGES[1]},村务公开,2026-Q3,2026-10-10,2026-10-15",
                                       f"GK-3,{VILLAGES[1]},财务公开,2026-Q3,2026-10-10,2026-10-09",
                                       f"GK-4,{VILLAGES[2]},村务公开,2026-Q3,2026-10-10,"] +
           [f"GK-{5 + i},{v},村务公开,2026-Q3,2026-10-10,2026-10-10" for i, v in enumerate(VILLAGES[3:5])])
    complaints = ["投诉编号,登记时间,渠道,问题类别,区划代码,办理状态,受理时间,答复时间,办结时间,办理时限,满意度,反映内容"]
    complaints += [f"C{i:03d},2026-11-{2 + i % 20:02d} 09:00,12345热线,惠民资金,{VILLAGES[i % 6]},已办结,"
                   f"2026-11-{2 + i % 20:02d} 10:00,2026-11-{3 + i % 20:02d} 10:00,2026-11-{4 + i % 20:02d} 10:00,"
                   f"10,满意,反映 {i}" for i in range(20)]
    complaints += [f'C900,2026-11-20 09:00,微信,村务公开,{VILLAGES[0]},已受理,,,,10,,"{FORMULA.replace(chr(34), chr(34) * 2)}"',
                   f"C901,2026-11-21 09:00,随手拍,低保评定,{TOWNS[1]},待受理,,,,10,,{SCRIPT}"]
    _write(folder, "complaints.csv", complaints)
    engine = empty_engine(f"sqlite:///{folder / 'chun_an.db'}")
    reports = {r.dataset: r for r in import_paths(engine, [folder], user="test:zj")}
    yield engine, reports
    engine.dispose()


def test_the_county_imports_its_own_places(chun_an):
    engine, reports = chun_an
    assert (reports["regions"].loaded, reports["regions"].rejected) == (len(TOWNS) + len(VILLAGES), 0)
    payments = reports["fund_payments"]
    assert (payments.loaded, payments.rejected) == (30, 1)
    assert [(e.line, e.column, e.value) for e in payments.errors] == [(32, "村代码", "330127999999")]
    with engine.connect() as conn:
        info = dict(conn.execute(text("SELECT key, value FROM dataset_info")).all())
        assert info["root_code"] == COUNTY and info["as_of"] == "2026-11-22"
        outline = parse_geometry(conn.execute(select(RegionBoundary.geometry)
                                              .where(RegionBoundary.code == COUNTY)).scalar_one())
        cells = conn.execute(select(RegionBoundary.code, RegionBoundary.source, RegionBoundary.geometry)
                             .where(RegionBoundary.code.in_(TOWNS))).all()
        assert sorted(c.code for c in cells) == TOWNS and {c.source for c in cells} == {"synthetic"}
        union = shapely.union_all([parse_geometry(c.geometry) for c in cells])
        assert abs(union.area - outline.area) / outline.area < 0.01
        for code, lon, lat in conn.execute(select(Region.code, Region.lon, Region.lat).where(Region.code.in_(VILLAGES))):
            town = parse_geometry(next(c.geometry for c in cells if c.code == code[:9] + "000"))
            assert town.buffer(1e-9).contains(shapely.Point(lon, lat)), code
        contents = set(conn.execute(select(Complaint.content).where(Complaint.case_no.in_(["C900", "C901"]))).scalars())
        assert contents == {FORMULA, SCRIPT}
        town_complaint = conn.execute(select(Complaint.village_code).where(Complaint.case_no == "C901")).scalar_one()
        assert town_complaint == TOWNS[1]


def test_the_overview_works_over_the_imported_county(chun_an, tmp_path):
    from app import create_app
    from callbacks import overview
    from callbacks.page_state import resolve_state
    from settings import load_settings
    engine, _ = chun_an
    settings = load_settings(env={"DATABASE_URL": engine.url.render_as_string(hide_password=False),
                                  "SUNSHINE_VAR_DIR": str(tmp_path)})
    server = create_app(settings).server
    with signed_in(server, scope=("330000000000",)):
        _regions, region, _weeks, week, *_rest, resolved = resolve_state({"region": None, "week": None,
                                                                        "lang": "zh-CN"})
        assert region == COUNTY and week == "2026-W47"
        tiles = json.dumps(overview.render_kpis(resolved), default=lambda o: o.to_plotly_json())
        figure, _note = overview.render_map(resolved)
    assert "sun-kpi" in tiles
    assert sorted(figure["data"][0]["locations"]) == TOWNS


def test_reporting_ranks_the_townships_and_lists_the_villages_missing(chun_an):
    from data.intake.reporting import unit_ranking, village_reports
    from data.scope import Scope
    engine, _ = chun_an
    with engine.connect() as conn:
        november = village_reports(conn, Scope(frozenset({COUNTY})), COUNTY, "2026-11")
        october = village_reports(conn, Scope(frozenset({COUNTY})), COUNTY, "2026-10")
        ranking, empty = unit_ranking(conn, november), unit_ranking(conn, october)
    assert list(november["code"]) == VILLAGES and november["reported"].all()
    # imported today, due on 10 December: on time, and known to be
    assert set(november["days_late"]) == {0}
    assert list(ranking["unit"]) == TOWNS and set(ranking["completeness"]) == {1.0} and set(ranking["on_time"]) == {1.0}
    assert not october["reported"].any() and october["days_late"].isna().all()
    assert list(empty["completeness"]) == [0.0] * 3


def test_payments_are_due_by_their_period_and_disclosures_by_their_own_dates(chun_an):
    import datetime as dt

    from data.intake.reporting import reporting_periods, unit_ranking, village_reports
    from data.scope import Scope
    engine, _ = chun_an
    scope = Scope(frozenset({COUNTY}))
    with engine.connect() as conn:
        assert reporting_periods(conn, dt.date(2026, 11, 29), "fund_payments") == ["2026-10"]
        assert reporting_periods(conn, dt.date(2026, 11, 29), "disclosures") == ["2026-Q3"]
        assert reporting_periods(conn, dt.date(2026, 10, 4), "disclosures") == []
        payments = village_reports(conn, scope, COUNTY, "2026-10", "fund_payments")
        disclosures = village_reports(conn, scope, COUNTY, "2026-Q3", "disclosures")
        ranking = unit_ranking(conn, disclosures)
    # every village was paid in October; the file arrived today, due on 10 November
    late = max(0, (dt.date.today() - dt.date(2026, 11, 10)).days)
    assert payments["reported"].all() and set(payments["days_late"]) == {late}
    # a village is done when all its items are published: 1 on time, 2 five days late, 3 pending, 6 none
    done = dict(zip(disclosures["code"], disclosures["reported"]))
    assert [done[v] for v in VILLAGES] == [True, True, False, True, True, False]
    assert dict(zip(disclosures["code"], disclosures["days_late"]))[VILLAGES[1]] == 5
    assert list(ranking["completeness"]) == [1.0, 0.5, 0.5] and list(ranking["on_time"]) == [0.5, 1.0, 1.0]


def test_a_demo_load_is_not_an_arrival(demo_engine):
    from data.intake.reporting import village_reports
    from data.scope import Scope
    with demo_engine.connect() as conn:
        frame = village_reports(conn, Scope(frozenset({"431023000000"})), "431023000000", "2026-10")
    assert frame["reported"].mean() > 0.9 and frame["days_late"].isna().all()
