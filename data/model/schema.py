"""SQLAlchemy 2 schema of the integrated supervision data (DESIGN.md §3).

Conventions
- Region codes are 12-digit strings (`data.codes`); every fact row carries the code of
  the smallest region it belongs to, so scope and roll-up filters are code ranges.
- Money is NUMERIC(14, 2) yuan; dates are DATE, moments are DATETIME.
- `week_key` is the ISO week as an int yyyyww (2026-W46 -> 202646); `month_key` yyyymm.
- Personal data: complainant identity lives in the `complainant_*` columns of
  `complaint`, beneficiaries' real identity in `beneficiary_identity`; the query layer
  (data/queries/, data/records/) never selects them; no page shows them (yet: unmasking
  one case, audited, is planned with users and roles).
- Rollup tables (prefix `rollup_`) are rebuilt by data/rollups/ inside the same
  transaction that loads raw rows; dashboard callbacks read only rollups.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

Money = Numeric(14, 2)
Code = String(12)


class Base(DeclarativeBase):
    __table__: ClassVar[Table]  # every model here is a plain table (typed for mypy)
    metadata = MetaData(naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


# --- geography -------------------------------------------------------------------------

class Region(Base):
    """A division: province, city, county, township or village."""
    __tablename__ = "region"
    code: Mapped[str] = mapped_column(Code, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(10), index=True)
    parent_code: Mapped[str | None] = mapped_column(Code, index=True)
    lon: Mapped[float | None]
    lat: Mapped[float | None]
    population: Mapped[int] = mapped_column(Integer, default=0)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)  # generated name/place
    batch_id: Mapped[int | None] = mapped_column(Integer)  # None: the base division tree


class RegionBoundary(Base):
    """A region's polygon as GeoJSON geometry text, and where it came from."""
    __tablename__ = "region_boundary"
    code: Mapped[str] = mapped_column(Code, ForeignKey("region.code"), primary_key=True)
    geometry: Mapped[str] = mapped_column(Text)  # GeoJSON geometry object
    source: Mapped[str] = mapped_column(String(10))  # official | synthetic
    origin: Mapped[str] = mapped_column(String(200), default="")  # file / package it came from


class CalendarDay(Base):
    """One calendar day with its ISO week, month and working-day flag (chinese-calendar)."""
    __tablename__ = "calendar_day"
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    week_key: Mapped[int] = mapped_column(Integer, index=True)
    month_key: Mapped[int] = mapped_column(Integer, index=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)


# --- funds -----------------------------------------------------------------------------

class FundProgram(Base):
    """A livelihood-fund line (民生资金项目)."""
    __tablename__ = "fund_program"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(20))  # social_assistance | agriculture | housing | disability ...
    department: Mapped[str] = mapped_column(String(20))  # civil_affairs | agriculture | housing | disabled_federation
    per_person_standard: Mapped[Decimal] = mapped_column(Money)  # yuan per payment
    payment_cycle: Mapped[str] = mapped_column(String(10))  # monthly | yearly | one_off
    source_level: Mapped[str] = mapped_column(String(12), default="")  # the main source (allocations say theirs)
    batch_id: Mapped[int | None] = mapped_column(Integer)


class FundAllocation(Base):
    """Money allocated (下达) to a township for a programme and year, by source level."""
    __tablename__ = "fund_allocation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("fund_program.id"))
    region_code: Mapped[str] = mapped_column(Code)
    year: Mapped[int] = mapped_column(Integer)
    source_level: Mapped[str] = mapped_column(String(12))  # central | provincial | municipal | county
    amount: Mapped[Decimal] = mapped_column(Money)
    allocated_on: Mapped[dt.date] = mapped_column(Date)
    allocation_no: Mapped[str | None] = mapped_column(String(40), index=True, unique=True)  # 指标文号
    batch_id: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (Index("ix_fund_allocation_region_year", "region_code", "year"),)


class BeneficiaryIdentity(Base):
    """Protected: the real identity behind a pseudonymous beneficiary key."""
    __tablename__ = "beneficiary_identity"
    beneficiary_key: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    id_number: Mapped[str] = mapped_column(String(18))


class FundPayment(Base):
    """Money paid (发放) to one beneficiary (pseudonymous key) living in a village."""
    __tablename__ = "fund_payment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("fund_program.id"))
    village_code: Mapped[str] = mapped_column(Code)
    beneficiary_key: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money)
    due_date: Mapped[dt.date] = mapped_column(Date)
    paid_date: Mapped[dt.date | None] = mapped_column(Date)
    payment_no: Mapped[str | None] = mapped_column(String(32), index=True, unique=True)  # 发放流水号
    period: Mapped[str] = mapped_column(String(7), default="")  # YYYY-MM the payment is for
    batch_id: Mapped[int | None] = mapped_column(Integer)
    # the beneficiary's payments by programme and due date: the person rules' lookups, and the
    # duplicate-payment rule's GROUP BY read in index order (migration 0012); covering the
    # other: the /funds outstanding, programme and source checks read the index alone
    __table_args__ = (Index("ix_fund_payment_beneficiary_program_due", "beneficiary_key", "program_id", "due_date",
                            "paid_date"),
                      Index("ix_fund_payment_village_due_paid", "village_code", "due_date", "paid_date",
                            "program_id"),)


class VillageLedger(Base):
    """One village finance entry (村级财务): income or expense."""
    __tablename__ = "village_ledger"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    village_code: Mapped[str] = mapped_column(Code)
    entry_date: Mapped[dt.date] = mapped_column(Date)
    direction: Mapped[str] = mapped_column(String(8))  # income | expense
    category: Mapped[str] = mapped_column(String(24))
    amount: Mapped[Decimal] = mapped_column(Money)
    counterparty: Mapped[str] = mapped_column(String(64), default="")
    voucher_no: Mapped[str] = mapped_column(String(24), default="")
    summary: Mapped[str] = mapped_column(Text, default="")  # 摘要, as the village wrote it
    batch_id: Mapped[int | None] = mapped_column(Integer)
    # voucher numbers run per village (JZ202611-0001 in every village): the key is both
    __table_args__ = (Index("ix_village_ledger_village_date", "village_code", "entry_date"),
                      Index("ix_village_ledger_village_voucher", "village_code", "voucher_no", unique=True))


class Disclosure(Base):
    """An item a village must publish (村务公开) for a period, with due and published dates."""
    __tablename__ = "disclosure"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    village_code: Mapped[str] = mapped_column(Code)
    kind: Mapped[str] = mapped_column(String(16))  # finance | village_affairs | fund_list | project | party_affairs
    period: Mapped[str] = mapped_column(String(8))  # 2026-10 or 2026-Q3
    due_date: Mapped[dt.date] = mapped_column(Date)
    published_date: Mapped[dt.date | None] = mapped_column(Date)
    item_no: Mapped[str | None] = mapped_column(String(40), index=True, unique=True)  # 公开事项编号
    batch_id: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (Index("ix_disclosure_village_due", "village_code", "due_date"),)


class LivelihoodProject(Base):
    """A livelihood project (民生项目) in a village."""
    __tablename__ = "livelihood_project"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(20))
    village_code: Mapped[str] = mapped_column(Code, index=True)
    budget: Mapped[Decimal] = mapped_column(Money)
    spent: Mapped[Decimal] = mapped_column(Money)
    planned_start: Mapped[dt.date] = mapped_column(Date)
    planned_end: Mapped[dt.date] = mapped_column(Date)
    actual_start: Mapped[dt.date | None] = mapped_column(Date)
    actual_end: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))  # planned | in_progress | completed | delayed
    lon: Mapped[float | None]
    lat: Mapped[float | None]


# --- the public ------------------------------------------------------------------------

class Complaint(Base):
    """A complaint or report (投诉举报) with its workflow timestamps.

    complainant_* columns are protected personal data (DESIGN.md §6).
    """
    __tablename__ = "complaint"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_no: Mapped[str] = mapped_column(String(24), unique=True)
    village_code: Mapped[str] = mapped_column(Code)
    channel: Mapped[str] = mapped_column(String(12))  # hotline | app | wechat | photo | push_to_talk | letter | visit
    category: Mapped[str] = mapped_column(String(32))  # village_affairs_disclosure ...
    department: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    assigned_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    replied_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    due_date: Mapped[dt.date] = mapped_column(Date)  # working days after receipt
    satisfaction: Mapped[str | None] = mapped_column(String(16))  # very_satisfied | satisfied | basic | unsatisfied
    repeat_of: Mapped[int | None] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text, default="")
    complainant_name: Mapped[str | None] = mapped_column(String(32))
    complainant_phone: Mapped[str | None] = mapped_column(String(20))
    complainant_id_number: Mapped[str | None] = mapped_column(String(18))
    status: Mapped[str] = mapped_column(String(8), default="")  # 办理状态 as sent (待受理 ... 已办结)
    subject: Mapped[str] = mapped_column(String(64), default="")  # 被反映对象
    time_limit_days: Mapped[int | None] = mapped_column(Integer)  # working days; due_date follows from it
    batch_id: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (Index("ix_complaint_village_received", "village_code", "received_at"),
                      Index("ix_complaint_village_due", "village_code", "due_date"),
                      # a whole province's complaints of a period: one range (migration 0006)
                      Index("ix_complaint_received", "received_at", "village_code", "due_date"))


class ServiceRequest(Base):
    """A 我要办 service request for a village-level matter."""
    __tablename__ = "service_request"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    matter: Mapped[str] = mapped_column(String(24))
    village_code: Mapped[str] = mapped_column(Code)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    due_date: Mapped[dt.date] = mapped_column(Date)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    rating: Mapped[int | None] = mapped_column(Integer)  # 1..5
    request_no: Mapped[str | None] = mapped_column(String(32), index=True, unique=True)  # 申请编号
    time_limit_days: Mapped[int | None] = mapped_column(Integer)
    batch_id: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (Index("ix_service_request_village_submitted", "village_code", "submitted_at"),)


# --- comparison, clues and warnings ----------------------------------------------------

class Person(Base):
    """The comparison registry (pseudonymous): one person."""
    __tablename__ = "person"
    person_key: Mapped[str] = mapped_column(String(16), primary_key=True)
    village_code: Mapped[str] = mapped_column(Code, index=True)
    birth_year: Mapped[int | None] = mapped_column(Integer)  # not in the exchange format
    deceased_date: Mapped[dt.date | None] = mapped_column(Date)
    official_post: Mapped[str | None] = mapped_column(String(24))  # village_secretary | village_director | ...
    relative_of: Mapped[str | None] = mapped_column(String(16))
    has_vehicle: Mapped[bool] = mapped_column(Boolean, default=False)
    has_property: Mapped[bool] = mapped_column(Boolean, default=False)
    relation: Mapped[str] = mapped_column(String(16), default="")  # to relative_of
    batch_id: Mapped[int | None] = mapped_column(Integer)


class Clue(Base):
    """A problem clue (问题线索) produced by a comparison rule."""
    __tablename__ = "clue"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str] = mapped_column(Code, index=True)
    subject_key: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal] = mapped_column(Money)
    score: Mapped[float]
    evidence: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))  # flagged | verifying | verified | filed | dismissed
    flagged_on: Mapped[dt.date] = mapped_column(Date)
    verified_on: Mapped[dt.date | None] = mapped_column(Date)
    filed_on: Mapped[dt.date | None] = mapped_column(Date)
    batch_id: Mapped[int | None] = mapped_column(Integer)  # the import whose rule run found it
    handler_code: Mapped[str | None] = mapped_column(String(12))  # region of the commission handling it
    due_on: Mapped[dt.date | None] = mapped_column(Date)  # the deadline of its current step (working days)
    dismiss_reason: Mapped[str | None] = mapped_column(String(16))  # false_positive | handled
    __table_args__ = (Index("ix_clue_status_due", "status", "due_on"),)


class RuleLibrary(Base):
    """A comparison rule library applied (`cli.py rules apply`): the file as sent, who, when.
    The newest row is the library in use; none: the shipped data/rules/rules.yaml."""
    __tablename__ = "rule_library"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64))
    applied_by: Mapped[str] = mapped_column(String(64))
    applied_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ClueEvent(Base):
    """One step of a clue's status history."""
    __tablename__ = "clue_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clue_id: Mapped[int] = mapped_column(ForeignKey("clue.id"), index=True)
    at: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")  # the reason stated for the move
    actor: Mapped[str] = mapped_column(String(64), default="system", server_default="system")
    handler_code: Mapped[str | None] = mapped_column(String(12))
    recorded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Warning(Base):
    """A risk warning (风险预警) and its closed loop: raised -> task -> verified -> closed."""
    __tablename__ = "warning"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(24))  # complaint_spike | fund_delay | disclosure | clue ...
    level: Mapped[str] = mapped_column(String(8))  # red | orange | yellow
    region_code: Mapped[str] = mapped_column(Code, index=True)
    title: Mapped[str] = mapped_column(String(120))
    raised_on: Mapped[dt.date] = mapped_column(Date)
    task_issued_on: Mapped[dt.date | None] = mapped_column(Date)
    verified_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    feedback: Mapped[str] = mapped_column(Text, default="")
    warning_no: Mapped[str | None] = mapped_column(String(32), index=True, unique=True)  # 预警编号
    batch_id: Mapped[int | None] = mapped_column(Integer)
    unit_code: Mapped[str | None] = mapped_column(String(12), index=True)  # the responsible unit's region
    task_due_on: Mapped[dt.date | None] = mapped_column(Date)  # the verification task's deadline
    clue_id: Mapped[int | None] = mapped_column(Integer)  # the clue whose rule severity raised it


class WarningEvent(Base):
    """One step of a warning's closed loop: task issued, feedback, closed (销号), reopened."""
    __tablename__ = "warning_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warning.id"), index=True)
    at: Mapped[dt.date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


# --- loads and audit -------------------------------------------------------------------

class ImportBatch(Base):
    """One load of data (demo generation or a department's file)."""
    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))  # demo | import
    source: Mapped[str] = mapped_column(String(255))  # file name or generator parameters
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(12))  # loaded | rejected | failed
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_loaded: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    user: Mapped[str] = mapped_column(String(32), default="system")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    dataset: Mapped[str | None] = mapped_column(String(24))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float | None] = mapped_column(Double)
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # `cli.py import-undo`


class RejectedRow(Base):
    """A row of an import that failed validation: where and why."""
    __tablename__ = "rejected_row"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    column: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text, default="")
    message: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text, default="")
    raw: Mapped[dict | None] = mapped_column(JSON)  # the row as sent (header -> text), to fix and send again


class ReplacedRow(Base):
    """The stored version of a row that an import replaced (same key, new content): kept
    so `cli.py import-undo BATCH` can put it back."""
    __tablename__ = "replaced_row"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)  # the replacing batch
    table_name: Mapped[str] = mapped_column(String(32))
    row_key: Mapped[str] = mapped_column(String(80))
    content: Mapped[dict] = mapped_column(JSON)  # every column of the previous version


class AuditLog(Base):
    """Every login, sensitive view, export, unmasking, import and account change.

    Append-only and chained: `row_hash` is the SHA-256 of the row's fields and the previous
    row's hash (data/model/audit_chain.py), so an edited or deleted row breaks the chain
    (`python cli.py audit verify`)."""
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    user: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))  # login | records_view | export_png | unmask_identity ...
    object: Mapped[str] = mapped_column(String(64))
    region_code: Mapped[str | None] = mapped_column(Code)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    address: Mapped[str | None] = mapped_column(String(45))   # the client's IP address
    scope: Mapped[list | None] = mapped_column(JSON)           # the user's jurisdiction then
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))


class DemoTruth(Base):
    """Planted anomalies of the demo data, so tests can check that detectors find them."""
    __tablename__ = "demo_truth"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str] = mapped_column(Code)
    subject: Mapped[str] = mapped_column(String(64), default="")
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class DatasetInfo(Base):
    """Key/value facts about the loaded dataset (as-of date, scale, seed, root region)."""
    __tablename__ = "dataset_info"
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
