"""`generate(engine, scale=..., seed=..., as_of=...)`: build and load a complete demo dataset.

One transaction: clear the old dataset, build every table with numpy/pandas (vectorised,
deterministic for seed + scale + as_of), bulk-load it, run the comparison rules, fill
the calendar, rebuild the rollups, write dataset_info and the import_batch row. Either the
whole new dataset is there or the old one is untouched.
"""
from __future__ import annotations

import datetime as dt
import time

import pandas as pd

from data import calendar as cal
from data import rollups
from data.intake.base import ensure_division_tree
from data.model.db import bulk_load_journal
from data.model.schema import (
    BeneficiaryIdentity,
    Clue,
    ClueEvent,
    DatasetInfo,
    DemoTruth,
    Disclosure,
    FundAllocation,
    FundPayment,
    FundProgram,
    ImportBatch,
    LivelihoodProject,
    Person,
    Region,
    RegionBoundary,
    ServiceRequest,
    VillageLedger,
)
from data.model.schema import Complaint as ComplaintRow
from data.model.schema import Warning as WarningRow
from data.rollups import frames as rollup_frames
from data.rules.comparison import run_rules
from data.rules.library import shipped_library
from data.rules.warnings import complete_warnings
from demo import beneficiaries, complaints, funds, ledger, publicity, registry, services
from demo.context import GENERATED_WITH, SCALES, Context, default_as_of
from demo.loader import (
    clear_all,
    dataset_info_frame,
    deferred_indexes,
    import_batch_frame,
    load,
    reset_sequences,
)
from demo.oversight import clue_histories, warnings
from demo.plan import Plan, make_plan
from demo.progress import Stages
from demo.regions import Geo, build_geo

STAGES = ["regions", "registry", "payments", "ledger", "disclosures", "complaints",
          "services", "rules", "rollups"]


def generate(engine, *, scale: str, seed: int, as_of: dt.date | None = None,
             progress: bool = True) -> dict:
    """Replace the database content with the demo dataset.

    scale: 'county' (永兴县), 'city' (郴州市) or 'province' (湖南省). as_of: the Sunday
    ending the last of the 104 ISO weeks (default: latest complete week before today).
    Returns rows per raw table ('complaint': 105587, ...), per rollup ('rollup:<table>'),
    stage durations ('seconds:<stage>') and the total ('seconds').
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {sorted(SCALES)}: {scale!r}")
    as_of = as_of or default_as_of()
    if as_of.isoweekday() != 7:
        raise ValueError(f"as_of must be a Sunday (end of an ISO week): {as_of}")
    ctx = Context(scale=scale, seed=int(seed), as_of=as_of)
    started, t0 = dt.datetime.now(), time.perf_counter()
    engine.dispose()  # pooled connections would keep the file in WAL mode
    with engine.connect() as conn, bulk_load_journal(conn), Stages(progress, STAGES) as stages, \
            conn.begin():
        clear_all(conn)
        # the calendar first: rules that count months (category_jump) join it
        cal.fill_calendar(conn, ctx.start - dt.timedelta(days=31), ctx.as_of + dt.timedelta(days=45))
        counts, loaded = _build_and_load(ctx, conn, stages)
        stages.start("rollups")
        counts.update({f"rollup:{k}": v for k, v in rollups.rebuild_all(conn, **loaded).items()})
        load(conn, DatasetInfo.__table__, dataset_info_frame(ctx, GENERATED_WITH))
        raw = {k: v for k, v in counts.items() if not k.startswith("rollup:")}
        load(conn, ImportBatch.__table__, import_batch_frame(ctx, started, raw))
        reset_sequences(conn, list(_TABLES_WITH_IDS))
        ensure_division_tree(conn)  # the rest of China, as every database has it
    seconds = {f"seconds:{k}": v for k, v in stages.seconds.items()}
    return {**counts, **seconds, "seconds": round(time.perf_counter() - t0, 1)}


_TABLES_WITH_IDS = [t.__table__ for t in (
    FundProgram, FundAllocation, FundPayment, VillageLedger, Disclosure, LivelihoodProject,
    ComplaintRow, ServiceRequest, Clue, ClueEvent, WarningRow, ImportBatch, DemoTruth)]


def _build_and_load(ctx: Context, conn, stages) -> tuple[dict[str, int], dict]:
    """Build each table in dependency order and load it; returns rows per table and
    the rows the rollups are built from (`rollups.rebuild_all`'s keywords)."""
    n: dict[str, int] = {}
    with deferred_indexes(conn, BULK_TABLES):
        geo, plan, frames, loaded = _load_raw(ctx, conn, stages, n)
    stages.start("rules")
    clues, events = clue_histories(ctx, run_rules(conn, ctx.as_of))
    n["clue"] = load(conn, Clue.__table__, clues)
    n["clue_event"] = load(conn, ClueEvent.__table__, events)
    names = geo.regions.set_index("code")["name"]
    n["warning"] = load(conn, WarningRow.__table__, warnings(ctx, names, *frames, clues))
    complete_warnings(conn, shipped_library())  # units, task deadlines, loop events: as an import does
    n["demo_truth"] = load(conn, DemoTruth.__table__, plan.truth_frame())
    comp, pay, _ = frames
    return n, {**loaded, "payments": pay, "complaints": comp.assign(repeated=comp["repeat_of"].notna())}


# the raw tables of millions of rows, whose secondary indexes are built after loading
BULK_TABLES = [t.__table__ for t in (
    FundPayment, VillageLedger, ComplaintRow, ServiceRequest, Disclosure)]


def _load_raw(ctx: Context, conn, stages, n: dict
              ) -> tuple[Geo, Plan, tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Regions to service requests; returns geo, plan, (complaints, payments,
    disclosures) and {"ledger_vm": the ledger's rollup rows, "services": the requests}."""
    stages.start("regions")
    geo = build_geo(ctx)
    plan = make_plan(ctx, geo)
    n["region"] = load(conn, Region.__table__, geo.regions)
    n["region_boundary"] = load(conn, RegionBoundary.__table__, geo.boundaries)
    pay = _load_funds(ctx, conn, stages, geo, plan, n)
    stages.start("ledger")
    n["village_ledger"], ledger_vm = _load_ledger(ctx, conn, geo, plan, stages)
    stages.start("disclosures")
    disc = publicity.disclosures(ctx, geo.villages, geo.counties, plan)
    n["disclosure"] = load(conn, Disclosure.__table__, disc)
    n["livelihood_project"] = load(conn, LivelihoodProject.__table__, publicity.projects(ctx, geo.villages, plan))
    stages.start("complaints")
    comp = complaints.complaints(ctx, geo.villages, geo.counties, plan)
    n["complaint"] = load(conn, ComplaintRow.__table__, comp, stages.advance)
    stages.start("services")
    serv = services.service_requests(ctx, geo.villages, geo.counties)
    n["service_request"] = load(conn, ServiceRequest.__table__, serv)
    return geo, plan, (comp, pay, disc), {"ledger_vm": ledger_vm, "services": serv}


def _load_funds(ctx: Context, conn, stages, geo, plan, n: dict) -> pd.DataFrame:
    """Programmes, registry, identities, payments and allocations; returns the payments."""
    stages.start("registry")
    enrol = beneficiaries.enrolments(ctx, geo.villages)
    funds.plant_deceased(ctx, plan, enrol)
    officials = registry.cadres_and_relatives(ctx, geo.villages)
    enrol = registry.plant_relative_benefit(ctx, plan, officials, enrol)
    n["fund_program"] = load(conn, FundProgram.__table__, funds.program_table())
    n["person"] = load(conn, Person.__table__, registry.persons(ctx, enrol, officials))
    n["beneficiary_identity"] = load(conn, BeneficiaryIdentity.__table__, registry.identities(ctx, enrol))
    stages.start("payments")
    pay = funds.payments(ctx, enrol, geo.counties, plan)
    n["fund_payment"] = load(conn, FundPayment.__table__, pay, stages.advance)
    n["fund_allocation"] = load(conn, FundAllocation.__table__, funds.allocations(ctx, plan, pay))
    return pay


def _load_ledger(ctx: Context, conn, geo, plan, stages) -> tuple[int, pd.DataFrame]:
    """Ledger county by county (bounded memory at province scale), ids continuing;
    returns the rows loaded and their rollup_ledger_vm rows."""
    total, months = 0, []
    for code, villages in geo.villages.groupby("county_code", sort=True):
        frame = ledger.ledger(ctx, villages.reset_index(drop=True), plan, code[:6], total + 1)
        total += load(conn, VillageLedger.__table__, frame)
        months.append(rollup_frames.ledger_vm(frame))
        stages.advance(len(frame))
    months = pd.concat(months, ignore_index=True)  # in key order: appends to the table's B-tree
    return total, months.sort_values(["month_key", "village_code", "direction", "category"], ignore_index=True)


def summary(counts: dict) -> pd.DataFrame:
    """Counts as a small table (for the CLI)."""
    return pd.DataFrame({"table": list(counts), "rows": list(counts.values())})
