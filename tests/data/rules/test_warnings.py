"""Risk warnings' closed loop on the small hand-made dataset: the responsible unit, a task due
in working days across the National Day holiday, the loop's steps and refusals, the closure
rate, the average days to close and the overdue units; a red rule's clue raises one warning
only once; an imported warning gets its unit, its deadline and the events of its dates."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, insert, select

from data.model.schema import AuditLog, Clue, Warning, WarningEvent
from data.rules.library import shipped_library
from data.rules.warnings import (
    act,
    complete_warnings,
    overdue_by_unit,
    raise_clue_warnings,
    responsible_unit,
    task_due,
    warning_summary,
)
from data.rules.workflow import WorkflowRefused
from data.scope import Scope
from tests.support.small import CA, CB, T1, T2, V11, V21

D = dt.date
LIBRARY = shipped_library()
CITY = Scope.of("431000")


def _warning(conn, wid, region, raised, *, level="orange", task=None, verified=None, closed=None):
    conn.execute(insert(Warning.__table__).values(
        id=wid, source="fund_delay", level=level, region_code=region, title=f"w{wid}", raised_on=raised,
        task_issued_on=task, verified_on=verified, closed_on=closed, feedback="", warning_no=f"T{wid}"))


@pytest.fixture()
def fresh(conn):
    conn.execute(delete(WarningEvent.__table__))
    conn.execute(delete(Warning.__table__))
    return conn


def test_the_responsible_unit_is_the_township_or_the_county():
    assert responsible_unit(V11) == T1 and responsible_unit(T2) == T2 and responsible_unit(CA) == CA


def test_a_task_is_due_in_working_days_across_the_national_day_holiday():
    # issued Mon 29 Sep 2025, orange: 10 working days: 30 Sep, 9, 10, 11 (make-up Sat), 13-17, 20 Oct
    assert task_due(D(2025, 9, 29), "orange", LIBRARY) == D(2025, 10, 20)
    assert task_due(D(2025, 9, 29), "red", LIBRARY) == D(2025, 10, 13)
    assert task_due(None, "red", LIBRARY) is None


def test_the_loop_goes_task_feedback_close_and_refuses_a_skipped_step(fresh):
    _warning(fresh, 1, V11, D(2025, 9, 28))
    def step(action, note="已办", scope=CITY):
        return act(fresh, 1, action, note, actor="tester", scope=scope, today=D(2025, 9, 29), library=LIBRARY)
    with pytest.raises(WorkflowRefused, match="feedback"):
        step("close")
    with pytest.raises(WorkflowRefused, match="jurisdiction"):
        step("task", scope=Scope.of(CB))
    with pytest.raises(WorkflowRefused, match="state"):
        step("task", note=" ")
    assert step("task", "请乡镇三日内核实") == {"state": "tasked", "task_due_on": D(2025, 10, 20)}
    with pytest.raises(WorkflowRefused, match="already"):
        step("task")
    assert step("feedback", "已补发，群众已回访")["state"] == "feedback"
    assert step("close", "核查属实已整改，同意销号")["state"] == "closed"
    row = fresh.execute(select(Warning.unit_code, Warning.feedback, Warning.closed_on).where(Warning.id == 1)).one()
    assert tuple(row) == (T1, "已补发，群众已回访", D(2025, 9, 29))
    events = fresh.execute(select(WarningEvent.action, WarningEvent.actor).where(WarningEvent.warning_id == 1)
                           .order_by(WarningEvent.id)).all()
    assert [tuple(e) for e in events] == [("task", "tester"), ("feedback", "tester"), ("close", "tester")]
    assert fresh.execute(select(AuditLog.action).where(AuditLog.object == "warning:1")).scalars().all() == [
        "warning_task", "warning_feedback", "warning_close"]
    assert step("reopen", "群众再次反映")["state"] == "tasked"


def test_closure_rate_average_days_and_overdue_units(fresh):
    _warning(fresh, 1, V11, D(2026, 2, 2), task=D(2026, 2, 2), verified=D(2026, 2, 9), closed=D(2026, 2, 12))  # 10 d
    _warning(fresh, 2, V11, D(2026, 2, 2), task=D(2026, 2, 2), verified=D(2026, 2, 20), closed=D(2026, 2, 22))  # 20 d
    _warning(fresh, 3, V21, D(2026, 2, 3), task=D(2026, 2, 3))  # open: orange, due 10 working days later
    _warning(fresh, 4, V21, D(2026, 2, 24), task=D(2026, 2, 24))  # open, not yet due
    complete_warnings(fresh, LIBRARY)
    today = D(2026, 3, 2)
    summary = warning_summary(fresh, CITY, today)
    assert summary == {"raised": 4, "closed": 2, "closure_rate": 0.5, "avg_days_to_close": 15.0, "open": 2,
                       "overdue": 1}
    units = overdue_by_unit(fresh, CITY, today)
    assert units[["unit_code", "open", "overdue"]].values.tolist() == [[T2, 2, 1]]
    assert warning_summary(fresh, Scope.of(CB), today)["raised"] == 0


def test_an_imported_warning_gets_its_unit_deadline_and_the_events_of_its_dates(fresh):
    _warning(fresh, 7, V21, D(2025, 9, 28), level="red", task=D(2025, 9, 29), verified=D(2025, 10, 9))
    assert complete_warnings(fresh, LIBRARY) == 1 and complete_warnings(fresh, LIBRARY) == 0
    row = fresh.execute(select(Warning.unit_code, Warning.task_due_on).where(Warning.id == 7)).one()
    assert tuple(row) == (T2, D(2025, 10, 13))
    actions = fresh.execute(select(WarningEvent.action).where(WarningEvent.warning_id == 7)
                            .order_by(WarningEvent.at)).scalars().all()
    assert actions == ["task", "feedback"]


def test_a_red_rules_clue_raises_one_warning_once(fresh):
    fresh.execute(insert(Clue.__table__).values(id=901, rule="deceased_payment", region_code=V11, subject_key="P1",
                                                amount=100, score=90.0, evidence={}, status="flagged",
                                                flagged_on=D(2026, 2, 23)))
    fresh.execute(insert(Clue.__table__).values(id=902, rule="split_expense", region_code=V11, subject_key="S",
                                                amount=100, score=90.0, evidence={}, status="flagged",
                                                flagged_on=D(2026, 2, 23)))
    assert raise_clue_warnings(fresh, [901, 902], LIBRARY) == 1  # deceased_payment is red, split_expense yellow
    assert raise_clue_warnings(fresh, [901, 902], LIBRARY) == 0
    row = fresh.execute(select(Warning.level, Warning.clue_id, Warning.unit_code, Warning.task_due_on)).one()
    assert tuple(row) == ("red", 901, T1, task_due(D(2026, 2, 23), "red", LIBRARY))
