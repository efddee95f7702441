"""Village disclosures (村务公开) and livelihood projects (民生项目).

Disclosures: finance monthly, village affairs / fund list / party affairs quarterly, each
due the 10th of the month after its period; most published on time, some late, some
never (county diligence differs); finance far more punctual (late ones within three
weeks). Planted: a village that stops publishing, and finance disclosures long overdue
while the village spends (plan.overdue_disclosures). Projects:
about 0.5 per village per year with realistic delays; planted: one long-delayed project.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from demo.context import Context
from demo.names import numbered
from demo.plan import Plan

QUARTERLY_KINDS = ("village_affairs", "fund_list", "party_affairs")
PROJECT_KINDS = [("road", "通组公路硬化工程", 600_000), ("water_supply", "安全饮水巩固提升工程", 300_000),
                 ("irrigation", "山塘渠道清淤工程", 200_000), ("lighting", "太阳能路灯安装项目", 80_000),
                 ("culture_sports", "村级文体广场建设", 250_000), ("clinic", "村卫生室标准化改造", 150_000)]


def _periods(ctx: Context) -> pd.DataFrame:
    """Periods (label, kind, due date) whose end lies in the window."""
    months = np.arange(np.datetime64(ctx.start, "M"), np.datetime64(ctx.as_of, "M"))
    rows = [(str(m), "finance", (m + 1).astype("datetime64[D]") + 9) for m in months]
    for m in months[(months.astype(int) % 3) == 2]:
        label = f"{str(m)[:4]}-Q{(m.astype(int) % 12) // 3 + 1}"
        rows += [(label, kind, (m + 1).astype("datetime64[D]") + 9) for kind in QUARTERLY_KINDS]
    return pd.DataFrame(rows, columns=["period", "kind", "due_date"])


def disclosures(ctx: Context, villages: pd.DataFrame, counties: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """All disclosure rows; published_date NaT when not (yet) published by as_of."""
    rng = ctx.rng("disclosure")
    periods = _periods(ctx)
    nv, npd = len(villages), len(periods)
    diligence = counties.set_index("code")["diligence"].reindex(villages["county_code"]).to_numpy()
    p_on = np.clip(diligence + rng.normal(0, 0.05, nv), 0.5, 0.995)
    vidx = np.repeat(np.arange(nv), npd)
    due = np.tile(periods["due_date"].to_numpy().astype("datetime64[D]"), nv)
    u = rng.random(nv * npd)
    on_time = u < p_on[vidx]
    late = ~on_time & (u < p_on[vidx] + (1 - p_on[vidx]) * 0.75)
    published = np.full(nv * npd, np.datetime64("NaT"), dtype="datetime64[D]")
    published[on_time] = due[on_time] - rng.integers(0, 9, on_time.sum())
    published[late] = due[late] + rng.integers(1, 41, late.sum())
    code = villages["code"].to_numpy()[vidx]
    finance = np.tile(periods["kind"].to_numpy() == "finance", nv)
    published[finance] = _finance_published(ctx, p_on[vidx][finance], due[finance])
    stop = np.datetime64(plan.stop_date)
    published[(published > ctx.end64) | ((code == plan.stopped_village) & (published >= stop))] = np.datetime64("NaT")
    plan.add_truth("stopped_publishing", plan.stopped_village, "", plan.stop_date, ctx.as_of,
                   ledger_entries_after=0, disclosures_published_after=0)
    frame = pd.DataFrame({"village_code": code, "kind": np.tile(periods["kind"].to_numpy(), nv),
                          "period": np.tile(periods["period"].to_numpy(), nv), "due_date": due,
                          "published_date": published})
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    frame["item_no"] = numbered("GK", frame["id"], 8)
    _plant_overdue(ctx, plan, frame)
    return frame


FINANCE_LATE_DAYS = 20  # at most: a late finance disclosure is out within three weeks


def _finance_published(ctx: Context, p_on: np.ndarray, due: np.ndarray) -> np.ndarray:
    """Publication days of the monthly finance disclosures: kept far more punctually than
    the other kinds (a village's accounts are checked by the township every month): a
    quarter of the village's usual lateness, late ones out within FINANCE_LATE_DAYS, none
    left unpublished. Its own stream, so the other kinds stay as they were."""
    rng = ctx.rng("disclosure_finance")
    on_time = rng.random(len(due)) < 1 - (1 - p_on) / 4
    return np.where(on_time, due - rng.integers(0, 9, len(due)), due + rng.integers(1, FINANCE_LATE_DAYS + 1, len(due)))


def _plant_overdue(ctx: Context, plan: Plan, frame: pd.DataFrame) -> None:
    """The plan's long-overdue finance disclosures (in place), each a truth row of
    spending_disclosure_overdue (the ledger plants an expense while it is overdue)."""
    for item in plan.overdue_disclosures:
        row = np.flatnonzero((frame["village_code"].to_numpy() == item.village)
                             & (frame["kind"].to_numpy() == "finance") & (frame["period"].to_numpy() == item.period))
        if not len(row):
            continue
        published = np.datetime64("NaT") if item.published is None else np.datetime64(item.published, "D")
        frame.loc[frame.index[row], "published_date"] = published if published <= ctx.end64 else np.datetime64("NaT")
        plan.add_truth("spending_disclosure_overdue", item.village, frame["item_no"].iloc[row[0]], item.due,
                       item.published or ctx.as_of, period=item.period, spent_on=item.spent_on,
                       published=item.published)


def projects(ctx: Context, villages: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """livelihood_project rows with statuses as of as_of, plus the planted delayed one."""
    rng = ctx.rng("projects")
    counts = rng.poisson(1.0, len(villages))
    vidx = np.repeat(np.arange(len(villages)), counts)
    n = len(vidx)
    kind = rng.integers(len(PROJECT_KINDS), size=n)
    planned_start = ctx.start64 + rng.integers(-120, 7 * 104 + 30, n)
    planned_end = planned_start + rng.integers(60, 300, n)
    actual_start = planned_start + rng.integers(0, 31, n)
    slip = np.where(rng.random(n) < 0.15, rng.integers(30, 150, n), rng.integers(-10, 10, n))
    actual_end = planned_end + slip
    budget = np.round(np.array([k[2] for k in PROJECT_KINDS])[kind] * rng.lognormal(0, 0.35, n), -2)
    frame = pd.DataFrame({
        "name": villages["name"].to_numpy()[vidx] + np.array([k[1] for k in PROJECT_KINDS], dtype=object)[kind],
        "category": np.array([k[0] for k in PROJECT_KINDS], dtype=object)[kind],
        "village_code": villages["code"].to_numpy()[vidx], "budget": budget,
        "planned_start": planned_start, "planned_end": planned_end,
        "actual_start": actual_start, "actual_end": actual_end,
        "lon": villages["lon"].to_numpy()[vidx] + rng.normal(0, 0.005, n),
        "lat": villages["lat"].to_numpy()[vidx] + rng.normal(0, 0.005, n)})
    frame = pd.concat([frame, _planted_delay(ctx, plan, villages)], ignore_index=True)
    frame = _status(ctx, rng, frame)
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    return frame


def _planted_delay(ctx: Context, plan: Plan, villages: pd.DataFrame) -> pd.DataFrame:
    """A road project that should have ended 120 days ago and is still not finished."""
    v = villages.set_index("code").loc[plan.project_village]
    start = ctx.end64 - 300
    end = ctx.end64 - 120
    plan.add_truth("project_delay", plan.project_village, v["name"] + "通组公路硬化工程", start, end,
                   days_overdue=120, budget=880_000)
    return pd.DataFrame([{"name": v["name"] + "通组公路硬化工程", "category": "road",
                          "village_code": plan.project_village, "budget": 880_000.0,
                          "planned_start": start, "planned_end": end, "actual_start": start + 10,
                          "actual_end": ctx.end64 + 200, "lon": v["lon"], "lat": v["lat"]}])


def _status(ctx: Context, rng: np.random.Generator, frame: pd.DataFrame) -> pd.DataFrame:
    """Status, spent and the actual dates as known on as_of."""
    end = ctx.end64
    a_start = frame["actual_start"].to_numpy().astype("datetime64[D]")
    a_end = frame["actual_end"].to_numpy().astype("datetime64[D]")
    p_end = frame["planned_end"].to_numpy().astype("datetime64[D]")
    started = a_start <= end
    done = started & (a_end <= end)
    status = np.where(~started, "planned", np.where(done, "completed",
                      np.where(end > p_end, "delayed", "in_progress")))
    total = np.maximum((a_end - a_start).astype(int), 1)
    progress = np.clip((end - a_start).astype(int) / total, 0, 1)
    spent = frame["budget"].to_numpy() * np.where(done, rng.uniform(0.9, 1.02, len(frame)), progress * 0.95)
    frame["status"] = status.astype(object)
    frame["spent"] = np.round(spent, 2)
    frame["actual_start"] = np.where(started, a_start, np.datetime64("NaT"))
    frame["actual_end"] = np.where(done, a_end, np.datetime64("NaT"))
    return frame
