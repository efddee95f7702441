"""The clue workflow (线索处置): its steps, who handles a clue, the deadlines, the moves a
user makes, and what each rule's decided clues say of it.

A clue goes flagged (发现) → verifying (初核) → verified (核实) → filed (立案) or dismissed
(了结), and may be dismissed from any open step. It is handled by the discipline body one
level above the cadres it concerns (Yongxing's jurisdiction rule): a village cadre's clue
goes to the township commission, a township cadre's (the township office that approves
and pays means-tested aid) to the county commission. Each open step is due the library's
working days after the clue entered it, counted with the statutory holidays and make-up
working days (data.calendar); it is near its deadline (临期) from `near_days` working days
before, overdue (超期) after the day. A rule's precision is the share of its decided clues
not dismissed as false positives: what the commission tunes thresholds by.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, insert, select, update

from data import audit
from data.calendar import add_working_days, is_workday
from data.codes import ancestor_at, level_of
from data.model.schema import Clue, ClueEvent, DatasetInfo
from data.rules.library import Library
from data.scope import Scope, scope_condition

STATUSES = ("flagged", "verifying", "verified", "filed", "dismissed")
OPEN_STEPS = ("flagged", "verifying", "verified")
DECIDED = ("filed", "dismissed")
DISMISS_REASONS = ("false_positive", "handled")  # 经核实不属实（误报）| 属实但情节轻微，予以了结
MOVES = {"flagged": ("verifying", "dismissed"), "verifying": ("verified", "dismissed"),
         "verified": ("filed", "dismissed")}
# rules over payments concern the township office that approves and pays (乡镇民政等);
# ledger and disclosure rules the village cadres who keep the books
TOWNSHIP_CADRE_RULES = ("deceased_payment", "beneficiary_assets", "duplicate_payment", "payment_above_standard",
                        "payment_overdue")
TOWNSHIP_POST_WORDS = ("township", "乡", "镇", "街道")


def step_due(entered: dt.date, step: str, library: Library) -> dt.date | None:
    """The day a clue that entered `step` on `entered` must have left it (None: no deadline)."""
    days = library.deadlines.get(step)
    return add_working_days(entered, int(days)) if days else None


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (negative when end < start)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(is_workday(start + dt.timedelta(days=i)) for i in range(1, (end - start).days + 1))


def deadline_state(due: dt.date | None, today: dt.date, near_days: int) -> str:
    """'overdue' after the due day, 'near' within `near_days` working days of it, else 'ok'."""
    if due is None:
        return "ok"
    if today > due:
        return "overdue"
    return "near" if working_days_between(today, due) <= near_days else "ok"


def cadre_level(rule: str, evidence: dict) -> str:
    """'township' or 'village': the level of the cadres a clue concerns."""
    post = str(evidence.get("post") or "")
    if rule in TOWNSHIP_CADRE_RULES or any(word in post for word in TOWNSHIP_POST_WORDS):
        return "township"
    return "village"


def proposed_handler(region_code: str, rule: str, evidence: dict) -> str:
    """The region code of the discipline body that handles the clue by jurisdiction: the
    level above its cadres (a village's township for village cadres, the county for
    township cadres); a clue filed on a township or county goes to the county."""
    above = "county" if cadre_level(rule, evidence) == "township" else "township"
    if level_of(region_code) in ("county", "city", "province"):
        return region_code
    return ancestor_at(region_code, "county" if level_of(region_code) == "township" else above)


class WorkflowRefused(ValueError):
    """A move the workflow does not allow, in zh and en."""

    def __init__(self, zh: str, en: str):
        self.zh, self.en = zh, en
        super().__init__(en)

    def message(self, lang: str) -> str:
        return self.en if lang.startswith("en") else self.zh


@dataclass(frozen=True)
class Move:
    """What a user asks: move clue `clue_id` to `to` (or only reassign: to == its status)."""
    clue_id: int
    to: str
    reason: str
    handler_code: str | None = None
    dismiss_reason: str | None = None


def move_clue(conn, move: Move, *, actor: str, scope: Scope, today: dt.date, library: Library) -> dict:
    """Apply one move inside the caller's transaction: checks the clue is in the user's
    jurisdiction, the move is allowed from its status, a reason is given, a handler unit
    in the jurisdiction is named to start verification, and a dismissal says why; then
    the clue's status, handler and step deadline, one event (who, when, why) and an audit
    row. Returns the clue's new {status, handler_code, due_on}; WorkflowRefused otherwise."""
    clue = conn.execute(select(Clue.id, Clue.status, Clue.region_code, Clue.rule, Clue.handler_code)
                        .where(Clue.id == move.clue_id)).first()
    if clue is None or not scope.allows(clue.region_code):
        raise WorkflowRefused("没有这条线索，或它不在您的管辖范围内", "no such clue in your jurisdiction")
    reason = (move.reason or "").strip()
    if not reason:
        raise WorkflowRefused("请写明理由", "state the reason")
    reassign = move.to == clue.status
    if not reassign and move.to not in MOVES.get(clue.status, ()):
        raise WorkflowRefused(f"线索处于“{clue.status}”，不能转到“{move.to}”",
                              f"a clue in {clue.status} cannot move to {move.to}")
    if reassign and clue.status not in OPEN_STEPS:
        raise WorkflowRefused("已办结的线索不能改派", "a decided clue cannot be reassigned")
    handler = move.handler_code or clue.handler_code
    if (move.to == "verifying" or reassign) and not handler:
        raise WorkflowRefused("请选择承办单位", "choose the handler unit")
    if handler and not scope.allows(handler) and handler != clue.handler_code:
        raise WorkflowRefused("承办单位不在您的管辖范围内", "the handler unit is outside your jurisdiction")
    if move.to == "dismissed" and move.dismiss_reason not in DISMISS_REASONS:
        raise WorkflowRefused("请选择了结的原因（不属实或予以了结）", "say why it is dismissed (false positive or handled)")
    values: dict = {"handler_code": handler}
    if not reassign:
        values.update(status=move.to, due_on=step_due(today, move.to, library) if move.to in OPEN_STEPS else None)
        if move.to == "verified":
            values["verified_on"] = today
        if move.to == "filed":
            values["filed_on"] = today
        if move.to == "dismissed":
            values["dismiss_reason"] = move.dismiss_reason
    conn.execute(update(Clue.__table__).where(Clue.id == clue.id).values(**values))
    conn.execute(insert(ClueEvent.__table__).values(
        clue_id=clue.id, at=today, status=move.to, note=reason[:2000], actor=actor[:64], handler_code=handler,
        recorded_at=dt.datetime.now().replace(microsecond=0)))
    stamp_workflow(conn)
    audit.record(conn, user=actor, action="clue_move", obj=f"clue:{clue.id}", region_code=clue.region_code,
                 detail={"from": clue.status, "to": move.to, "reason": reason[:200], "handler": handler,
                         "dismiss_reason": move.dismiss_reason})
    return {"status": values.get("status", clue.status), "handler_code": handler,
            "due_on": values.get("due_on")}


def stamp_workflow(conn) -> None:
    """dataset_info `workflow_at`: part of the data version (data.model.version), so no page
    serves a count cached before a clue or warning moved."""
    stamp = f"{dt.datetime.now():%Y-%m-%dT%H:%M:%S.%f}"
    done = conn.execute(update(DatasetInfo.__table__).where(DatasetInfo.key == "workflow_at").values(value=stamp))
    if not done.rowcount:
        conn.execute(insert(DatasetInfo.__table__).values(key="workflow_at", value=stamp))


def flagged_due(flagged_on, library: Library) -> list[dt.date | None]:
    """The first step's due dates of new clues (flagged on those days)."""
    return [step_due(pd.Timestamp(day).date(), "flagged", library) for day in flagged_on]


def clue_deadlines(conn, today: dt.date, library: Library, scope: Scope | None = None) -> pd.DataFrame:
    """Open clues: id, rule, region_code, status, handler_code, due, state ('ok' | 'near' |
    'overdue'); the due date is the one stored when the clue entered its step, else counted
    from that step's last event."""
    entered = (select(ClueEvent.clue_id, ClueEvent.status, func.max(ClueEvent.at).label("at"))
               .group_by(ClueEvent.clue_id, ClueEvent.status).subquery())
    stmt = (select(Clue.id, Clue.rule, Clue.region_code, Clue.status, Clue.handler_code, Clue.due_on,
                   func.coalesce(entered.c.at, Clue.flagged_on))
            .outerjoin(entered, (entered.c.clue_id == Clue.id) & (entered.c.status == Clue.status))
            .where(Clue.status.in_(OPEN_STEPS)).order_by(Clue.id))
    if scope is not None:
        stmt = stmt.where(scope_condition(Clue.region_code, scope))
    frame = pd.DataFrame(conn.execute(stmt).all(),
                         columns=["id", "rule", "region_code", "status", "handler_code", "due", "entered"])
    frame["entered"] = pd.to_datetime(frame["entered"]).dt.date
    frame["due"] = [pd.Timestamp(d).date() if pd.notna(d) else step_due(e, s, library)
                    for d, e, s in zip(frame["due"], frame["entered"], frame["status"])]
    frame["state"] = [deadline_state(d, today, library.near_days) for d in frame["due"]]
    return frame


def rule_precision(conn, scope: Scope | None = None) -> pd.DataFrame:
    """Per rule: clues, decided, false positives, precision ((decided − false positives) ÷
    decided; None before any decision). A dismissal without a stated reason counts as a
    false positive (older records)."""
    stmt = select(Clue.rule, Clue.status, Clue.dismiss_reason, func.count()).group_by(
        Clue.rule, Clue.status, Clue.dismiss_reason)
    if scope is not None:
        stmt = stmt.where(scope_condition(Clue.region_code, scope))
    frame = pd.DataFrame(conn.execute(stmt).all(), columns=["rule", "status", "reason", "n"])
    out = []
    for rule, part in frame.groupby("rule", sort=True):
        decided = int(part.loc[part["status"].isin(DECIDED), "n"].sum())
        false_pos = int(part.loc[(part["status"] == "dismissed") & (part["reason"].fillna("false_positive")
                                                                    == "false_positive"), "n"].sum())
        out.append({"rule": rule, "clues": int(part["n"].sum()), "decided": decided, "false_positives": false_pos,
                    "precision": (decided - false_pos) / decided if decided else None})
    return pd.DataFrame(out, columns=["rule", "clues", "decided", "false_positives", "precision"])
