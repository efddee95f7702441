"""A tiny hand-made dataset whose indicators are computed by hand in the tests.

Hunan 430000 > Chenzhou 431000 > county A 431023 (townships T1, T2) and county B 431024
(township T3). Dates hit the edges: Spring Festival 2026 (Feb 15-23 off, Feb 14 and 28
worked), National Day 2025 (Oct 1-8 off, Sep 28 and Oct 11 worked), a due date on a
Sunday make-up day, closings on the Sunday week end, a payment in the ISO week that
spans New Year, an allocation made in December for the next budget year.
The chosen week is 2026-W09 (Mon Feb 23 - Sun Mar 1 2026); the week before 2026-W08.

The fixtures `small_engine` (one database per test module) and `conn` (a rolled-back
transaction per test) of tests/data/conftest.py serve it; `build_small` / `load_small`
build it anywhere else.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import insert

from data.calendar import add_working_days, fill_calendar
from data.model import metadata
from data.model.db import make_engine
from data.model.schema import (
    Clue,
    Complaint,
    Disclosure,
    FundAllocation,
    FundPayment,
    FundProgram,
    Region,
    VillageLedger,
    Warning,
)
from data.rollups import rebuild_all

D, T = dt.date, dt.datetime
WEEK, PREV = 202609, 202608
CAL_START, CAL_END = D(2025, 9, 1), D(2026, 3, 31)
PROV, CITY, CA, CB = "430000000000", "431000000000", "431023000000", "431024000000"
T1, T2, T3 = "431023100000", "431023101000", "431024100000"
V11, V12, V21, V31 = "431023100201", "431023100202", "431023101201", "431024100201"

REGIONS = [
    (PROV, "湖南省", "province", None, 23000), (CITY, "郴州市", "city", PROV, 23000),
    (CA, "甲县", "county", CITY, 15000), (CB, "乙县", "county", CITY, 8000),
    (T1, "一镇", "township", CA, 10000), (T2, "二镇", "township", CA, 5000),
    (T3, "三镇", "township", CB, 8000),
    (V11, "一村", "village", T1, 4000), (V12, "二村", "village", T1, 6000),
    (V21, "三村", "village", T2, 5000), (V31, "四村", "village", T3, 8000),
]


def _complaint(i, village, received, n_days, closed=None, sat=None, replied=True,
               accepted=True, repeat_of=None, category="fund", channel="hotline"):
    due = add_working_days(received.date(), n_days)
    return dict(id=i, case_no=f"C{i}", village_code=village, channel=channel, category=category,
                department="civil_affairs", received_at=received, due_date=due,
                accepted_at=received if accepted else None, closed_at=closed,
                replied_at=closed if (closed and replied) else None, satisfaction=sat,
                repeat_of=repeat_of, content="")


COMPLAINTS = [
    # due Fri Feb 27 (Feb 14 make-up, 15-23 off); closed on time; closed W09
    _complaint(1, V11, T(2026, 2, 13, 10), 5, T(2026, 2, 27, 16), "satisfied"),
    # received W09, due Feb 27, closed Sat Feb 28 (late), a repeat
    _complaint(2, V12, T(2026, 2, 24, 9), 3, T(2026, 2, 28, 10), "unsatisfied", repeat_of=1,
               channel="app"),
    # due Sat Feb 28 (make-up day), never closed: open and overdue at the end of W09
    _complaint(3, V21, T(2026, 2, 25, 9), 3),
    # county B: due Mon Mar 2 (W10), closed Sun Mar 1 (week end), not replied
    _complaint(4, V31, T(2026, 2, 26, 9), 3, T(2026, 3, 1, 18), "very_satisfied", replied=False),
    # received during the holiday (W08), due Sat Feb 28, closed Sun Mar 1: late, unrated
    _complaint(5, V11, T(2026, 2, 16, 9), 5, T(2026, 3, 1, 9), accepted=False),
    # National Day: received Sep 30 2025, due Sat Oct 11 (make-up), closed that day
    _complaint(6, V21, T(2025, 9, 30, 9), 3, T(2025, 10, 11, 12), "satisfied"),
    # due Sun Sep 28 2025 (make-up day = week end): overdue only from W40, closed Oct 9
    _complaint(7, V11, T(2025, 9, 26, 9), 1, T(2025, 10, 9, 9)),
]

PROGRAMS = [dict(id=1, code="dibao", name="最低生活保障", category="social_assistance",
                 department="civil_affairs", per_person_standard=Decimal("500.00"),
                 payment_cycle="monthly"),
            dict(id=2, code="gengdi", name="耕地地力保护补贴", category="agriculture",
                 department="agriculture", per_person_standard=Decimal("100.00"),
                 payment_cycle="yearly")]

ALLOCATIONS = [  # (id, program, region, year, level, amount, allocated_on)
    (1, 1, T1, 2026, "central", "10000.00", D(2025, 12, 20)),  # advance for 2026
    (2, 1, T3, 2026, "provincial", "5000.00", D(2026, 2, 25)),
    (3, 2, T1, 2026, "county", "3000.00", D(2026, 3, 5)),  # after W09
    (4, 1, T1, 2025, "central", "8000.00", D(2025, 9, 15)),
]

PAYMENTS = [  # (id, program, village, amount, due, paid)
    (1, 1, V11, "1000.10", D(2026, 2, 27), D(2026, 2, 26)),
    (2, 1, V12, "500.05", D(2026, 2, 27), D(2026, 3, 3)),  # late
    (3, 1, V31, "2000.00", D(2026, 2, 25), None),  # unpaid
    (4, 1, V21, "300.33", D(2026, 1, 10), D(2026, 1, 9)),
    (5, 1, V11, "700.00", D(2025, 12, 30), D(2025, 12, 30)),  # 2025 money in 2026-W01
    (6, 1, V11, "99.99", D(2026, 1, 2), D(2026, 1, 2)),  # 2026 money in 2026-W01
]

DISCLOSURES = [  # (id, village, kind, due, published)
    (1, V11, "finance", D(2026, 2, 27), D(2026, 2, 27)),
    (2, V12, "village_affairs", D(2026, 3, 1), D(2026, 3, 2)),
    (3, V31, "finance", D(2026, 2, 23), None),
    (4, V21, "finance", D(2026, 2, 20), D(2026, 2, 19)),
]

CLUES = [  # (id, rule, region, amount, flagged, verified, filed)
    (1, "deceased_payee", V11, "1200.00", D(2026, 2, 24), D(2026, 2, 26), None),
    (2, "official_relative", T3, "0.00", D(2026, 3, 1), None, None),
    (3, "deceased_payee", V21, "500.00", D(2026, 2, 18), D(2026, 2, 20), D(2026, 2, 21)),
]

WARNINGS = [  # (id, level, region, raised, closed)
    (1, "red", T1, D(2026, 2, 10), None),
    (2, "red", T3, D(2026, 2, 24), D(2026, 3, 1)),
    (3, "red", V21, D(2026, 2, 17), D(2026, 3, 2)),
    (4, "orange", T1, D(2026, 2, 25), None),
]

LEDGER = [  # (id, village, date, direction, category, amount)
    (1, V11, D(2026, 2, 24), "income", "subsidy", "1000.50"),
    (2, V11, D(2026, 2, 25), "expense", "office", "200.25"),
    (3, V31, D(2026, 2, 28), "expense", "project", "3000.10"),
    (4, V12, D(2026, 2, 20), "income", "collective", "50.05"),
    (5, V21, D(2026, 1, 15), "expense", "office", "10.01"),
    (6, V21, D(2025, 10, 3), "income", "subsidy", "0.10"),
    (7, V21, D(2025, 10, 4), "income", "subsidy", "0.20"),
    (8, V11, D(2026, 3, 1), "expense", "office", "0.07"),
]


def _rows(columns, tuples):
    return [dict(zip(columns, t)) for t in tuples]


def load_small(conn) -> None:
    """Insert the dataset, fill the calendar and rebuild the rollups (caller commits)."""
    t = lambda cls: cls.__table__  # noqa: E731
    conn.execute(insert(t(Region)), _rows(("code", "name", "level", "parent_code", "population"),
                                          REGIONS))
    conn.execute(insert(t(FundProgram)), PROGRAMS)
    conn.execute(insert(t(Complaint)), COMPLAINTS)
    conn.execute(insert(t(FundAllocation)), _rows(
        ("id", "program_id", "region_code", "year", "source_level", "amount", "allocated_on"),
        ALLOCATIONS))
    conn.execute(insert(t(FundPayment)), [dict(r, beneficiary_key=f"B{r['id']}") for r in _rows(
        ("id", "program_id", "village_code", "amount", "due_date", "paid_date"), PAYMENTS)])
    conn.execute(insert(t(Disclosure)), [dict(r, period="2026-02") for r in _rows(
        ("id", "village_code", "kind", "due_date", "published_date"), DISCLOSURES)])
    conn.execute(insert(t(Clue)), [dict(r, subject_key="S", score=0.5, evidence={}, status="flagged")
                                   for r in _rows(("id", "rule", "region_code", "amount", "flagged_on",
                                                   "verified_on", "filed_on"), CLUES)])
    conn.execute(insert(t(Warning)), [dict(r, source="clue", title="w") for r in _rows(
        ("id", "level", "region_code", "raised_on", "closed_on"), WARNINGS)])
    conn.execute(insert(t(VillageLedger)), [dict(r, voucher_no=f"V{r['id']}") for r in _rows(
        ("id", "village_code", "entry_date", "direction", "category", "amount"), LEDGER)])
    fill_calendar(conn, CAL_START, CAL_END)
    rebuild_all(conn)


def build_small(url: str):
    """Create the schema at `url`, load the dataset; returns the engine."""
    engine = make_engine(url)
    metadata.create_all(engine)
    with engine.begin() as conn:
        load_small(conn)
    return engine
