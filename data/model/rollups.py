"""Rollup tables (DESIGN.md §3), declared on `data.model.schema.Base` (same metadata).

Dashboard callbacks read only these. Each primary key starts with the period key
(week_key or month_key) then the region code, and the region code has its own index, so
"one week, a code range" and "one township, all weeks" are both index reads.
Definitions (built by data/rollups/, all counts of raw rows):

- complaint: `received`, `accepted` (accepted_at set), `repeats` (repeat_of set) by the
  week of received_at; `closed`, `replied` (closed and replied_at set), `rated`
  (satisfaction set), `satisfied` (very_satisfied|satisfied) by the week of closed_at;
  `due`, `due_on_time` (date(closed_at) <= due_date) by the week of due_date;
  `open_overdue_end` (tw only): not closed by the week's Sunday and due_date < Sunday.
- payment: `paid_*` by the week of paid_date, `due_*` and `paid_late_count` (paid_date
  null or > due_date) by the week of due_date; `year` is the calendar year of that date.
  tw adds year-to-date sums for the calendar year of the week's Sunday (`ytd_year`):
  `paid_amount_ytd` (paid from Jan 1 to the Sunday) and `allocated_amount_ytd`
  (allocations of that budget year with allocated_on <= the Sunday).
- reporting: `villages` in the township (region table), `villages_reported` distinct
  villages with >= 1 village_ledger entry in the week; dense over the data's weeks.
- disclosure by week of due_date: `due`, `on_time` (published <= due), `published_late`,
  `unpublished` (published_date null when rebuilt).
- clue by week of flagged_on: `flagged`, `amount`, `verified` (verified_on set), `filed`.
- warning: `raised`/`closed` by the week of raised_on/closed_on; `open_end` raised on
  or before the Sunday and not closed by it; rows kept where any of the three > 0.
"""
from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from sqlalchemy import Float, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from data.model.schema import Base, Code, Complaint, ServiceRequest

Sum = Numeric(16, 2)


class _Rollup:
    """Mixin: on SQLite the table is clustered on its primary key (WITHOUT ROWID), so a
    (week, code range) read is one sequential index range with every measure in it."""
    __table_args__: ClassVar[dict] = {"sqlite_with_rowid": False}


def _pk(type_=Integer):
    return mapped_column(type_, primary_key=True)


def _code_pk():
    return mapped_column(Code, primary_key=True, index=True)


def _count():
    return mapped_column(Integer, default=0, nullable=False)


def _money():
    return mapped_column(Sum, default=0, nullable=False)


class RollupComplaintTWCC(_Rollup, Base):
    """Complaints: township x ISO week x category x channel."""
    __tablename__ = "rollup_complaint_twcc"
    week_key: Mapped[int] = _pk()
    township_code: Mapped[str] = _code_pk()
    category: Mapped[str] = _pk(String(32))  # = complaint.category
    channel: Mapped[str] = _pk(String(12))
    received: Mapped[int] = _count()
    accepted: Mapped[int] = _count()
    repeats: Mapped[int] = _count()
    closed: Mapped[int] = _count()
    replied: Mapped[int] = _count()
    rated: Mapped[int] = _count()
    satisfied: Mapped[int] = _count()
    due: Mapped[int] = _count()
    due_on_time: Mapped[int] = _count()


class RollupComplaintTW(_Rollup, Base):
    """Complaints: township x ISO week (sum of twcc + open_overdue_end); dense over data weeks."""
    __tablename__ = "rollup_complaint_tw"
    week_key: Mapped[int] = _pk()
    township_code: Mapped[str] = _code_pk()
    received: Mapped[int] = _count()
    accepted: Mapped[int] = _count()
    repeats: Mapped[int] = _count()
    closed: Mapped[int] = _count()
    replied: Mapped[int] = _count()
    rated: Mapped[int] = _count()
    satisfied: Mapped[int] = _count()
    due: Mapped[int] = _count()
    due_on_time: Mapped[int] = _count()
    open_overdue_end: Mapped[int] = _count()


class RollupPaymentTWP(_Rollup, Base):
    """Payments: township x ISO week x calendar year x programme."""
    __tablename__ = "rollup_payment_twp"
    week_key: Mapped[int] = _pk()
    township_code: Mapped[str] = _code_pk()
    year: Mapped[int] = _pk()
    program_id: Mapped[int] = _pk()
    paid_amount: Mapped[Decimal] = _money()
    paid_count: Mapped[int] = _count()
    due_amount: Mapped[Decimal] = _money()
    due_count: Mapped[int] = _count()
    paid_late_count: Mapped[int] = _count()


class RollupPaymentTW(_Rollup, Base):
    """Payments: township x ISO week, with year-to-date paid and allocated; dense."""
    __tablename__ = "rollup_payment_tw"
    week_key: Mapped[int] = _pk()
    township_code: Mapped[str] = _code_pk()
    ytd_year: Mapped[int] = _count()
    paid_amount: Mapped[Decimal] = _money()
    paid_count: Mapped[int] = _count()
    due_amount: Mapped[Decimal] = _money()
    due_count: Mapped[int] = _count()
    paid_late_count: Mapped[int] = _count()
    paid_amount_ytd: Mapped[Decimal] = _money()
    allocated_amount_ytd: Mapped[Decimal] = _money()


class RollupAllocationTY(_Rollup, Base):
    """Allocations: township x budget year x week of allocated_on x programme x source level."""
    __tablename__ = "rollup_allocation_ty"
    week_key: Mapped[int] = _pk()
    township_code: Mapped[str] = _code_pk()
    year: Mapped[int] = _pk()
    program_id: Mapped[int] = _pk()
    source_level: Mapped[str] = _pk(String(12))
    amount: Mapped[Decimal] = _money()
    entries: Mapped[int] = _count()


class RollupLedgerVM(_Rollup, Base):
    """Village finance: village x month x direction x category."""
    __tablename__ = "rollup_ledger_vm"
    month_key: Mapped[int] = _pk()
    village_code: Mapped[str] = _code_pk()
    direction: Mapped[str] = _pk(String(8))
    category: Mapped[str] = _pk(String(24))
    amount: Mapped[Decimal] = _money()
    entries: Mapped[int] = _count()


class RollupLedgerTM(_Rollup, Base):
    """Village finance: township x month x direction x category (from ledger_vm)."""
    __tablename__ = "rollup_ledger_tm"
    month_key: Mapped[int] = _pk()
    township_code: Mapped[str] = _code_pk()
    direction: Mapped[str] = _pk(String(8))
    category: Mapped[str] = _pk(String(24))
    amount: Mapped[Decimal] = _money()
    entries: Mapped[int] = _count()


class RollupReportingTW(_Rollup, Base):
    """Reporting completeness inputs: township x ISO week; dense over data weeks."""
    __tablename__ = "rollup_reporting_tw"
    week_key: Mapped[int] = _pk()
    township_code: Mapped[str] = _code_pk()
    villages: Mapped[int] = _count()
    villages_reported: Mapped[int] = _count()


class RollupDisclosureTW(_Rollup, Base):
    """Disclosure items: township x ISO week of due_date x kind."""
    __tablename__ = "rollup_disclosure_tw"
    week_key: Mapped[int] = _pk()
    township_code: Mapped[str] = _code_pk()
    kind: Mapped[str] = _pk(String(16))
    due: Mapped[int] = _count()
    on_time: Mapped[int] = _count()
    published_late: Mapped[int] = _count()
    unpublished: Mapped[int] = _count()


class RollupClueTW(_Rollup, Base):
    """Problem clues: township x ISO week of flagged_on x rule."""
    __tablename__ = "rollup_clue_tw"
    week_key: Mapped[int] = _pk()
    township_code: Mapped[str] = _code_pk()
    rule: Mapped[str] = _pk(String(32))
    flagged: Mapped[int] = _count()
    amount: Mapped[Decimal] = _money()
    verified: Mapped[int] = _count()
    filed: Mapped[int] = _count()


class RollupWarningTW(_Rollup, Base):
    """Risk warnings: township x ISO week x level, with open_end at the week's Sunday."""
    __tablename__ = "rollup_warning_tw"
    week_key: Mapped[int] = _pk()
    township_code: Mapped[str] = _code_pk()
    level: Mapped[str] = _pk(String(8))
    raised: Mapped[int] = _count()
    closed: Mapped[int] = _count()
    open_end: Mapped[int] = _count()


# --- the /funds page's rollups, summed further (data/rollups/funds.py) ----------------------

class RollupFundsAllocCY(_Rollup, Base):
    """Allocations: county x budget year x week of allocated_on x programme x source level."""
    __tablename__ = "rollup_funds_alloc_cy"
    year: Mapped[int] = _pk()
    county_code: Mapped[str] = _code_pk()
    week_key: Mapped[int] = _pk()
    program_id: Mapped[int] = _pk()
    source_level: Mapped[str] = _pk(String(12))
    amount: Mapped[float] = _money()


class RollupFundsPaidCW(_Rollup, Base):
    """Payments: county x ISO week x calendar year x programme (sums of rollup_payment_twp)."""
    __tablename__ = "rollup_funds_paid_cw"
    year: Mapped[int] = _pk()
    county_code: Mapped[str] = _code_pk()
    week_key: Mapped[int] = _pk()
    program_id: Mapped[int] = _pk()
    paid_amount: Mapped[float] = _money()
    paid_count: Mapped[int] = _count()
    due_amount: Mapped[float] = _money()
    due_count: Mapped[int] = _count()


class RollupFundsOverdueTW(_Rollup, Base):
    """Payments outstanding at the week's Sunday: township x week x programme x age bucket."""
    __tablename__ = "rollup_funds_overdue_tw"
    week_key: Mapped[int] = _pk()
    township_code: Mapped[str] = _code_pk()
    program_id: Mapped[int] = _pk()
    age_bucket: Mapped[str] = _pk(String(6))
    payments: Mapped[int] = _count()
    amount: Mapped[float] = _money()


class RollupLedgerCM(_Rollup, Base):
    """Village finance: county x month x direction x category (from rollup_ledger_tm)."""
    __tablename__ = "rollup_ledger_cm"
    month_key: Mapped[int] = _pk()
    county_code: Mapped[str] = _code_pk()
    direction: Mapped[str] = _pk(String(8))
    category: Mapped[str] = _pk(String(24))
    amount: Mapped[float] = _money()
    entries: Mapped[int] = _count()


class RollupLedgerOutlierVY(_Rollup, Base):
    """Villages whose per-capita spending in a category is above their county's IQR fence."""
    __tablename__ = "rollup_ledger_outlier_vy"
    year: Mapped[int] = _pk()
    village_code: Mapped[str] = _code_pk()
    category: Mapped[str] = _pk(String(24))
    amount: Mapped[float] = _money()
    population: Mapped[int] = _count()
    per_capita: Mapped[float] = mapped_column(Float, nullable=False)
    peers: Mapped[int] = _count()
    q1: Mapped[float] = mapped_column(Float, nullable=False)
    median: Mapped[float] = mapped_column(Float, nullable=False)
    q3: Mapped[float] = mapped_column(Float, nullable=False)
    fence: Mapped[float] = mapped_column(Float, nullable=False)


class RollupDisclosureLateVW(_Rollup, Base):
    """Disclosure items not published on time: village x week of due date x kind."""
    __tablename__ = "rollup_disclosure_late_vw"
    week_key: Mapped[int] = _pk()
    village_code: Mapped[str] = _code_pk()
    kind: Mapped[str] = _pk(String(16))
    due: Mapped[int] = _count()
    published_late: Mapped[int] = _count()
    unpublished: Mapped[int] = _count()


# --- the /complaints page's rollups at every level (data/rollups/complaints.py) ------------

def _days():
    return mapped_column(Float, default=0.0, nullable=False)


class RollupComplaintRWD(_Rollup, Base):
    """Complaints: dimension x level x ISO week x region x value (see the module doc).

    Key order: one region's weeks (dim, level, week IN ..., region =) and every child
    region of a level (dim, level, week IN ..., region BETWEEN) are both index seeks."""
    __tablename__ = "rollup_complaint_rwd"
    dim: Mapped[str] = _pk(String(12))
    level: Mapped[str] = _pk(String(8))
    week_key: Mapped[int] = _pk()
    region_code: Mapped[str] = mapped_column(Code, primary_key=True)
    value: Mapped[str] = _pk(String(32))
    received: Mapped[int] = _count()
    accepted: Mapped[int] = _count()
    repeats: Mapped[int] = _count()
    c_replied: Mapped[int] = _count()
    c_closed: Mapped[int] = _count()
    closed: Mapped[int] = _count()
    replied: Mapped[int] = _count()
    rated: Mapped[int] = _count()
    satisfied: Mapped[int] = _count()
    due: Mapped[int] = _count()
    due_on_time: Mapped[int] = _count()
    reply_n: Mapped[int] = _count()
    reply_days: Mapped[float] = _days()
    close_days: Mapped[float] = _days()


class RollupServiceRWM(_Rollup, Base):
    """我要办 service requests: level x region x matter x ISO week."""
    __tablename__ = "rollup_service_rwm"
    level: Mapped[str] = _pk(String(8))
    region_code: Mapped[str] = mapped_column(Code, primary_key=True)
    matter: Mapped[str] = _pk(String(24))
    week_key: Mapped[int] = _pk()
    submitted: Mapped[int] = _count()
    completed: Mapped[int] = _count()
    due: Mapped[int] = _count()
    due_on_time: Mapped[int] = _count()
    rated: Mapped[int] = _count()
    rating_sum: Mapped[int] = _count()
    rating_1: Mapped[int] = _count()
    rating_2: Mapped[int] = _count()
    rating_3: Mapped[int] = _count()
    rating_4: Mapped[int] = _count()
    rating_5: Mapped[int] = _count()


# Record lists of the page: open complaints oldest first, open service requests by due date.
OPEN_COMPLAINT_INDEX = Index("ix_complaint_open", Complaint.closed_at, Complaint.received_at,
                             Complaint.village_code, Complaint.due_date)
OPEN_SERVICE_INDEX = Index("ix_service_request_open", ServiceRequest.completed_at,
                           ServiceRequest.due_date, ServiceRequest.village_code)


ROLLUP_CLASSES = (
    RollupComplaintTWCC, RollupComplaintTW, RollupPaymentTWP, RollupAllocationTY,
    RollupPaymentTW, RollupLedgerVM, RollupLedgerTM, RollupReportingTW,
    RollupDisclosureTW, RollupClueTW, RollupWarningTW,
    RollupFundsAllocCY, RollupFundsPaidCW, RollupFundsOverdueTW, RollupLedgerCM,
    RollupLedgerOutlierVY, RollupDisclosureLateVW, RollupComplaintRWD, RollupServiceRWM,
)
ROLLUP_TABLES = tuple(cls.__table__ for cls in ROLLUP_CLASSES)
