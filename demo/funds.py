"""Fund payments (发放) and allocations (下达) built from the enrolments.

Payments: one row per enrolment and due date (monthly on the 10th, farmland yearly on
20 May, housing once), paid a few county-typical days later. Planted: payments that go
on after a beneficiary's death, a duplicate payment, a county whose payments lag (15-28
days) from 1 January of the as-of year, and two villages whose payments of one period
are held back 40-90 days or never paid. Allocations: per township, programme, year and source
level, about the payments due that year plus a little slack, in dated tranches.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from demo.beneficiaries import PROGRAMS, window_months
from demo.beneficiaries import program_table as beneficiaries_table
from demo.context import Context
from demo.names import numbered
from demo.plan import Plan

# Source-level shares per programme id (central / provincial / municipal / county).
SHARES = {
    1: (0.6, 0.2, 0.1, 0.1), 2: (0.6, 0.2, 0.1, 0.1), 3: (1.0, 0, 0, 0),
    4: (0.7, 0.2, 0, 0.1), 5: (0, 0.5, 0.2, 0.3), 6: (0, 0.3, 0, 0.7),
}
LEVELS = ("central", "provincial", "municipal", "county")
_CYCLE = {p[0]: p[6] for p in PROGRAMS}


def program_table() -> pd.DataFrame:
    """Rows of table fund_program, each with its largest source of money."""
    table = beneficiaries_table()
    table["source_level"] = [LEVELS[int(np.argmax(SHARES[pid]))] for pid in table["id"]]
    return table


def plant_deceased(ctx: Context, plan: Plan, enrol: pd.DataFrame) -> None:
    """Give one long-standing 低保/高龄 beneficiary per target village a death date
    6-9 months before as_of while the enrolment (and so the payments) continues."""
    rng = ctx.rng("plant_deceased")
    last = len(window_months(ctx)) - 1
    for village in plan.deceased_villages:
        cand = enrol.index[(enrol["village_code"] == village) & enrol["program_id"].isin([1, 6])
                           & (enrol["enter_m"] == 0) & (enrol["exit_m"] == last)]
        row = cand[rng.integers(len(cand))]
        died = ctx.end64 - int(rng.integers(180, 270))
        enrol.loc[row, "deceased_date"] = died
        plan.add_truth("deceased_payment", village, enrol.loc[row, "key"], died, ctx.end64,
                       program_id=int(enrol.loc[row, "program_id"]))


def payments(ctx: Context, enrol: pd.DataFrame, counties: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """All fund_payment rows (with ids), including the planted duplicate and lag."""
    idx, due = _due_dates(ctx, enrol)
    frame = pd.DataFrame({
        "program_id": enrol["program_id"].to_numpy()[idx],
        "village_code": enrol["village_code"].to_numpy()[idx],
        "beneficiary_key": enrol["key"].to_numpy()[idx],
        "amount": enrol["amount"].to_numpy()[idx], "due_date": due,
    })
    frame = frame[(due >= ctx.start64) & (due <= ctx.end64)].reset_index(drop=True)
    frame["paid_date"] = _paid_dates(ctx, frame, counties, plan)
    _plant_held(ctx, plan, frame)
    frame = _plant_duplicate(ctx, plan, frame)
    _plant_overpayment(ctx, plan, frame)
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    frame["payment_no"] = numbered("FF", frame["id"], 9)
    frame["period"] = frame["due_date"].dt.strftime("%Y-%m")  # the month a payment is due for
    frame["batch_id"] = ctx.batch_id
    return frame


def _due_dates(ctx: Context, enrol: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(enrolment index, due date) pairs for every cycle."""
    months = window_months(ctx)
    cycle = enrol["program_id"].map(_CYCLE).to_numpy()
    parts_idx, parts_due = [], []
    monthly = np.flatnonzero(cycle == "monthly")
    span = (enrol["exit_m"].to_numpy() - enrol["enter_m"].to_numpy() + 1)[monthly]
    rep = np.repeat(monthly, span)
    offset = np.arange(len(rep)) - np.repeat(np.cumsum(span) - span, span)
    parts_idx.append(rep)
    parts_due.append(months[enrol["enter_m"].to_numpy()[rep] + offset] + 9)
    yearly = np.flatnonzero(cycle == "yearly")
    for year in range(ctx.start.year, ctx.as_of.year + 1):
        parts_idx.append(yearly)
        parts_due.append(np.full(len(yearly), np.datetime64(dt.date(year, 5, 20), "D")))
    once = np.flatnonzero(cycle == "one_off")
    parts_idx.append(once)
    parts_due.append(ctx.start64 + enrol["due_day"].to_numpy()[once])
    return np.concatenate(parts_idx), np.concatenate(parts_due).astype("datetime64[D]")


LAG_DAYS = (15, 28)  # days late in the lag county: slow (fund_delay warnings) but not overdue
# the lag county's allocations of its lag year against what falls due: the money sits (its
# disbursement rate some 15-20 points behind the year, red), though no payment is overdue
LAG_ALLOCATION = 1.3


def _paid_dates(ctx: Context, frame: pd.DataFrame, counties: pd.DataFrame, plan: Plan) -> np.ndarray:
    """Paid within days (county-typical); in the lag county from lag_start, weeks late."""
    rng = ctx.rng("paid_dates")
    county = frame["village_code"].str.slice(0, 6).to_numpy() + "000000"
    lag = counties.set_index("code")["pay_lag"].reindex(county).to_numpy()
    days = np.round(rng.gamma(2.0, lag / 2.0)).astype(int)
    lagging = (county == plan.lag_county) & (frame["due_date"].to_numpy() >= np.datetime64(plan.lag_start))
    # the lag county pays weeks late, yet within the 30 days payment_overdue allows
    days[lagging] = LAG_DAYS[0] + np.round(rng.beta(2, 2, lagging.sum()) * (LAG_DAYS[1] - LAG_DAYS[0])).astype(int)
    paid = frame["due_date"].to_numpy().astype("datetime64[D]") + days
    paid[(paid > ctx.end64) | (rng.random(len(frame)) < 0.002)] = np.datetime64("NaT")
    share = float(np.isnat(paid[lagging]).mean()) if lagging.any() else 0.0
    plan.add_truth("disbursement_lag", plan.lag_county, "", plan.lag_start, ctx.as_of,
                   late_days_mean=float(days[lagging].mean()) if lagging.any() else 0.0,
                   unpaid_share=round(share, 3), allocation_factor=LAG_ALLOCATION)
    return paid


def _plant_duplicate(ctx: Context, plan: Plan, frame: pd.DataFrame) -> pd.DataFrame:
    """Pay one monthly payment of the target village twice, a few days apart."""
    rng = ctx.rng("plant_duplicate")
    due = frame["due_date"].to_numpy()
    window = (due > ctx.end64 - 200) & (due < ctx.end64 - 120)
    cand = np.flatnonzero((frame["village_code"].to_numpy() == plan.duplicate_village)
                          & frame["program_id"].isin([1, 2, 5, 6]).to_numpy() & window
                          & ~np.isnat(frame["paid_date"].to_numpy()))
    row = frame.iloc[[cand[rng.integers(len(cand))]]].copy()
    row["paid_date"] = row["paid_date"] + np.timedelta64(int(rng.integers(2, 9)), "D")
    plan.add_truth("duplicate_payment", plan.duplicate_village, row["beneficiary_key"].iloc[0],
                   row["due_date"].iloc[0], row["paid_date"].iloc[0],
                   program_id=int(row["program_id"].iloc[0]), amount=float(row["amount"].iloc[0]))
    return pd.concat([frame, row], ignore_index=True)


def _plant_held(ctx: Context, plan: Plan, frame: pd.DataFrame) -> None:
    """Hold back one period's payments of each held-payment village (in place; 逾期发放:
    which ones, _held_rows): each paid 40-90 days late, a third of them not at all; a
    truth row of payment_overdue each."""
    codes = {p[0]: p[1] for p in PROGRAMS}
    due_month = frame["due_date"].to_numpy().astype("datetime64[M]")
    for i, village in enumerate(plan.held_payment_villages):
        rows = _held_rows(ctx, frame, due_month, village, farmland=i == 0)
        if not len(rows):
            continue
        rng = ctx.rng("plant_held", village)
        due = frame["due_date"].to_numpy()[rows].astype("datetime64[D]")
        paid = due + rng.integers(40, 91, len(rows))
        paid[(rng.random(len(rows)) < 1 / 3) | (paid > ctx.end64)] = np.datetime64("NaT")
        frame.loc[frame.index[rows], "paid_date"] = paid
        program = int(frame["program_id"].iloc[rows[0]])
        period = str(due_month[rows[0]])
        plan.add_truth("payment_overdue", village, f"{codes[program]}:{period}", due.min(), ctx.end64,
                       program_id=program, period=period, payments=len(rows), unpaid=int(np.isnat(paid).sum()))


def _held_rows(ctx: Context, frame: pd.DataFrame, due_month: np.ndarray, village: str, *, farmland: bool) -> np.ndarray:
    """Row positions of the village's payments to hold back: its farmland subsidy of the
    last May at least three months past, or its largest monthly programme of the month
    five months before as_of."""
    mine = frame["village_code"].to_numpy() == village
    if farmland:
        may = ctx.as_of.year if ctx.as_of >= dt.date(ctx.as_of.year, 8, 20) else ctx.as_of.year - 1
        return np.flatnonzero(mine & (frame["program_id"].to_numpy() == 3) & (due_month == np.datetime64(f"{may}-05", "M")))
    monthly = mine & (due_month == np.datetime64(ctx.as_of, "M") - 5) & frame["program_id"].map(_CYCLE).eq("monthly").to_numpy()
    counts = frame.loc[monthly, "program_id"].value_counts()
    if not len(counts):
        return np.array([], dtype=int)
    return np.flatnonzero(monthly & (frame["program_id"].to_numpy() == counts.index[0]))


OVERPAID_PROGRAMS = {2: 650.0, 5: 190.0, 6: 100.0}  # fixed per-person standards: 特困, 残疾人两项补贴, 高龄津贴


def _plant_overpayment(ctx: Context, plan: Plan, frame: pd.DataFrame) -> None:
    """Pay one fixed-standard payment of the duplicate village's township at three times
    its standard (多发), 3-5 months before as_of (in place)."""
    rng = ctx.rng("plant_overpayment")
    due = frame["due_date"].to_numpy()
    window = (due > ctx.end64 - 150) & (due < ctx.end64 - 90)
    cand = np.flatnonzero(frame["village_code"].str.startswith(plan.duplicate_village[:9]).to_numpy()
                          & frame["program_id"].isin(list(OVERPAID_PROGRAMS)).to_numpy() & window
                          & ~np.isnat(frame["paid_date"].to_numpy()))
    if not len(cand):
        return
    row = int(cand[rng.integers(len(cand))])
    standard = OVERPAID_PROGRAMS[int(frame.at[row, "program_id"])]
    frame.at[row, "amount"] = 3 * standard
    plan.add_truth("payment_above_standard", str(frame.at[row, "village_code"]), frame.at[row, "beneficiary_key"],
                   frame.at[row, "due_date"], frame.at[row, "paid_date"], program_id=int(frame.at[row, "program_id"]),
                   standard=standard, amount=3 * standard)


def allocations(ctx: Context, plan: Plan, pay: pd.DataFrame) -> pd.DataFrame:
    """fund_allocation rows: due amounts per township/programme/year x slack, by level, in tranches."""
    rng = ctx.rng("allocations")
    base = pay.assign(region_code=pay["village_code"].str.slice(0, 9) + "000",
                      year=pay["due_date"].dt.year)
    sums = base.groupby(["region_code", "program_id", "year"], sort=True)["amount"].sum().reset_index()
    slack = 1 + rng.uniform(0.01, 0.05, len(sums))
    lag = (sums["region_code"].str.slice(0, 6) == plan.lag_county[:6]) & (sums["year"] == plan.lag_start.year)
    sums["total"] = sums["amount"] * slack * np.where(lag, LAG_ALLOCATION, 1.0)
    rows = []
    for rec in sums.itertuples(index=False):
        for level, share in zip(LEVELS, SHARES[rec.program_id]):
            if share:
                rows.extend(_tranches(ctx, rec, level, rec.total * share))
    frame = pd.DataFrame(rows, columns=["program_id", "region_code", "year", "source_level",
                                        "amount", "allocated_on"])
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    frame["allocation_no"] = numbered("XD", frame["id"], 7)
    return frame


def _tranches(ctx: Context, rec, level: str, total: float) -> list[tuple]:
    """Split a yearly amount into quarterly tranches dated within the window."""
    dates = [max(ctx.start, min(ctx.as_of, dt.date(rec.year, m, 10))) for m in (1, 4, 7, 10)]
    weights = np.array([0.4, 0.3, 0.2, 0.1])
    out: dict[dt.date, float] = {}
    for day, w in zip(dates, weights):
        out[day] = out.get(day, 0.0) + total * w
    return [(rec.program_id, rec.region_code, rec.year, level, round(v, 2), d.isoformat())
            for d, v in sorted(out.items())]
