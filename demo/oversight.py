"""Clue status histories and risk warnings, simulated from the generated data.

Clues come from `data.rules.comparison.run_rules`; here each gets a plausible history as of as_of
(flagged -> verifying -> verified -> filed / dismissed, false positives dismissed at the
preliminary check), handled by the unit its jurisdiction names, a few stuck past their
deadline. Warnings are raised where the
data shows a problem — complaint spikes per township-week, payment delays per
township-month, villages missing consecutive finance disclosures, high-score clues — and
walk the closed loop raised -> task -> verified -> closed; recent ones are still open.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from data.calendar import working_days_after
from data.rules.comparison import evidence_json
from data.rules.library import shipped_library
from data.rules.workflow import proposed_handler
from demo.context import WEEKS, Context
from demo.names import numbered

OUTCOMES = {  # rule -> probabilities of filed / dismissed as handled (了结) / dismissed as a false positive
    "deceased_payment": (0.4, 0.45, 0.15), "duplicate_payment": (0.3, 0.6, 0.1),
    "cadre_relative_benefit": (0.5, 0.35, 0.15), "split_expense": (0.45, 0.4, 0.15),
    "beneficiary_assets": (0.1, 0.45, 0.45),
}
RULE_ZH = {"deceased_payment": "死亡人员仍领取补贴", "duplicate_payment": "重复发放",
           "cadre_relative_benefit": "村干部亲属享受低保", "split_expense": "拆分支出规避审批",
           "beneficiary_assets": "低保对象有车有房"}
FEEDBACK = {"complaint_spike": "已督促乡镇逐件回访，集中问题已整改。", "fund_delay": "已督促县财政局加快拨付，欠发资金已补发。",
            "disclosure_overdue": "已约谈村支书，补齐公开内容。", "clue": "线索已核查办结，相关人员已处理。"}
NOTES = {"flagged": "信息比对发现疑似问题，已推送核查。", "verifying": "按干部管理权限交办初核。",
         "verified": "初核完成，问题基本属实。", "filed": "经审批予以立案审查。",
         "handled": "问题情节轻微，已批评教育并督促整改，予以了结。",
         "false_positive": "经核实不属实，系数据比对误报，予以了结。"}
STUCK_SHARE = 0.08  # clues whose next step never came: the overdue ones


def clue_histories(ctx: Context, clues: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(clue rows ready to load, clue_event rows) with statuses, handler units and step
    deadlines as of as_of."""
    rng = ctx.rng("clue_history")
    n = len(clues)
    deadlines = shipped_library().deadlines
    flagged = pd.to_datetime(clues["flagged_on"]).to_numpy().astype("datetime64[D]")
    verifying = flagged + rng.integers(2, 11, n)
    verified = verifying + rng.integers(10, 41, n)
    decided = verified + rng.integers(2, 13, n)
    probs = np.array([OUTCOMES.get(r, (0.3, 0.4, 0.3)) for r in clues["rule"]])
    outcome = np.array(["filed", "handled", "false_positive"], dtype=object)[
        (rng.random(n)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1).clip(0, 2)]
    false_pos = outcome == "false_positive"
    decided = np.where(false_pos, verified, decided)  # a false positive is dismissed at the check
    never = np.datetime64("2999-12-31")
    stuck_at = rng.integers(0, 3, n)  # the step a stuck clue stays in
    stuck = rng.random(n) < STUCK_SHARE
    verifying = np.where(stuck & (stuck_at == 0), never, verifying)
    verified = np.where(stuck & (stuck_at <= 1), never, verified)
    decided = np.where(stuck, never, decided)
    nat = np.datetime64("NaT", "D")
    has_v, has_c, has_d = verifying <= ctx.end64, verified <= ctx.end64, decided <= ctx.end64
    has_c &= ~false_pos
    status = np.where(has_d, np.where(outcome == "filed", "filed", "dismissed"),
                      np.where(has_c, "verified", np.where(has_v, "verifying", "flagged"))).astype(object)
    entered = np.where(has_c, verified, np.where(has_v, verifying, flagged))
    steps = np.array([deadlines.get(s, 0) for s in status])
    due = working_days_after(entered, steps)
    handler = np.array([proposed_handler(c, r, e) for c, r, e in
                        zip(clues["region_code"], clues["rule"], clues["evidence"])], dtype=object)
    rows = clues.assign(
        id=np.arange(1, n + 1), status=status, flagged_on=flagged,
        verified_on=np.where(has_c | (has_d & false_pos), np.where(false_pos, decided, verified), nat),
        filed_on=np.where(has_d & (outcome == "filed"), decided, nat),
        handler_code=np.where(has_v, handler, np.array(None, dtype=object)),
        due_on=np.where(np.isin(status, list(deadlines)), due, nat),
        dismiss_reason=np.where(has_d & (outcome != "filed"), outcome, np.array(None, dtype=object)),
        evidence=[evidence_json(e) for e in clues["evidence"]])
    ids = rows["id"].to_numpy()
    events = pd.concat([
        _events(ids, flagged, "flagged", NOTES["flagged"], None),
        _events(ids[has_v], verifying[has_v], "verifying", NOTES["verifying"], handler[has_v]),
        _events(ids[has_c], verified[has_c], "verified", NOTES["verified"], handler[has_c]),
        _events(ids[has_d], decided[has_d], status[has_d], [NOTES[o] for o in outcome[has_d]], handler[has_d]),
    ], ignore_index=True).sort_values(["clue_id", "at"], kind="stable").reset_index(drop=True)
    events.insert(0, "id", np.arange(1, len(events) + 1))
    return rows, events


def _events(ids, at, status, note, handler) -> pd.DataFrame:
    return pd.DataFrame({"clue_id": ids, "at": at, "status": status, "note": note, "actor": "demo",
                         "handler_code": handler})


def warnings(ctx: Context, names: pd.Series, complaints: pd.DataFrame, payments: pd.DataFrame,
             disclosures: pd.DataFrame, clues: pd.DataFrame) -> pd.DataFrame:
    """All warning rows with their closed-loop dates as of as_of."""
    raised = pd.concat([_complaint_spikes(ctx, names, complaints), _fund_delays(names, payments),
                        _disclosure_gaps(names, disclosures), _clue_warnings(clues)], ignore_index=True)
    raised = raised[raised["raised_on"] <= ctx.end64]
    raised = raised.sort_values(["raised_on", "source", "region_code"], kind="stable").reset_index(drop=True)
    return _close_loop(ctx, raised)


def _complaint_spikes(ctx: Context, names: pd.Series, complaints: pd.DataFrame) -> pd.DataFrame:
    """Township-weeks with at least 8 complaints and 2.5x the mean of the prior 8 weeks."""
    week = ((complaints["received_at"].to_numpy().astype("datetime64[D]") - ctx.start64).astype(int) // 7)
    town = complaints["village_code"].str.slice(0, 9).to_numpy()
    table = pd.crosstab(town, week).reindex(columns=range(WEEKS), fill_value=0)
    counts = table.to_numpy().astype(float)
    prior = pd.DataFrame(counts.T).rolling(8).mean().shift(1).to_numpy().T
    ratio = counts / np.maximum(prior, 1.0)
    ti, wi = np.nonzero((counts >= 8) & (ratio >= 2.5))
    codes = table.index.to_numpy()[ti] + "000"
    r = ratio[ti, wi]
    return pd.DataFrame({
        "source": "complaint_spike", "region_code": codes,
        "level": np.where(r >= 3.5, "red", np.where(r >= 3, "orange", "yellow")),
        "title": names.reindex(codes).to_numpy() + "投诉量激增（环比前8周均值" + np.char.mod("%.1f", r).astype(object) + "倍）",
        "raised_on": ctx.week_starts()[wi] + 7})


def _fund_delays(names: pd.Series, payments: pd.DataFrame) -> pd.DataFrame:
    """Township-months where over 25 % of due payments were paid 15+ days late or not at all."""
    due = payments["due_date"].to_numpy().astype("datetime64[D]")
    paid = payments["paid_date"].to_numpy().astype("datetime64[D]")
    late = np.isnat(paid) | ((paid - due).astype("timedelta64[D]").astype(float) > 15)
    frame = pd.DataFrame({"town": payments["village_code"].str.slice(0, 9) + "000",
                          "month": due.astype("datetime64[M]"), "late": late})
    share = frame.groupby(["town", "month"], sort=True)["late"].agg(["mean", "size"]).reset_index()
    share = share[(share["mean"] > 0.25) & (share["size"] >= 20)]
    return pd.DataFrame({
        "source": "fund_delay", "region_code": share["town"].to_numpy(),
        "level": np.where(share["mean"] > 0.6, "red", "orange"),
        "title": names.reindex(share["town"]).to_numpy() + "民生资金发放滞后（逾期"
                 + np.char.mod("%.0f", 100 * share["mean"].to_numpy()).astype(object) + "%）",
        "raised_on": (share["month"].to_numpy().astype("datetime64[M]") + 1).astype("datetime64[D]") + 15})


def _disclosure_gaps(names: pd.Series, disclosures: pd.DataFrame) -> pd.DataFrame:
    """Villages whose finance disclosure is 10+ days overdue for a second month running."""
    fin = disclosures[disclosures["kind"] == "finance"].sort_values(["village_code", "due_date"])
    due = fin["due_date"].to_numpy().astype("datetime64[D]")
    pub = fin["published_date"].to_numpy().astype("datetime64[D]")
    overdue = np.isnat(pub) | ((pub - due).astype("timedelta64[D]").astype(float) > 10)
    same = fin["village_code"].to_numpy()[1:] == fin["village_code"].to_numpy()[:-1]
    second = np.r_[False, overdue[1:] & overdue[:-1] & same]
    codes = fin["village_code"].to_numpy()[second]
    return pd.DataFrame({"source": "disclosure_overdue", "region_code": codes, "level": "orange",
                         "title": names.reindex(codes).to_numpy() + "连续两个月未按期公开财务",
                         "raised_on": due[second] + 10})


def _clue_warnings(clues: pd.DataFrame) -> pd.DataFrame:
    """High-score clues (>= 85) become warnings on the day they are flagged."""
    top = clues[clues["score"] >= 85]
    return pd.DataFrame({"source": "clue", "region_code": top["region_code"].to_numpy(),
                         "level": np.where(top["score"] >= 90, "red", "orange"),
                         "title": ["问题线索：" + RULE_ZH.get(r, shipped_library().rule(r).finding_zh) for r in top["rule"]],
                         "raised_on": pd.to_datetime(top["flagged_on"]).to_numpy().astype("datetime64[D]")})


def _close_loop(ctx: Context, frame: pd.DataFrame) -> pd.DataFrame:
    """Task, verification and closing dates; what lies after as_of is still open."""
    rng = ctx.rng("warning_loop")
    n = len(frame)
    raised = frame["raised_on"].to_numpy().astype("datetime64[D]")
    task = raised + rng.integers(0, 4, n)
    verified = task + rng.integers(3, 21, n)
    closed = verified + rng.integers(1, 11, n)
    stuck = rng.random(n) < 0.05
    nat = np.datetime64("NaT", "D")
    frame["raised_on"] = raised
    frame["task_issued_on"] = np.where(task <= ctx.end64, task, nat)
    frame["verified_on"] = np.where(~stuck & (verified <= ctx.end64), verified, nat)
    frame["closed_on"] = np.where(~stuck & (closed <= ctx.end64), closed, nat)
    frame["feedback"] = np.where(np.isnat(frame["closed_on"].to_numpy()), "",
                                 frame["source"].map(FEEDBACK).fillna("")).astype(object)
    frame.insert(0, "id", np.arange(1, n + 1))
    frame["warning_no"] = numbered("YJ", frame["id"], 7)
    return frame
