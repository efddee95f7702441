"""Clue deadlines in working days (the statutory holidays and make-up days counted as the
calendar says), near (临期) and overdue (超期) states, the deadlines as the library's
`workflow:` section, and each rule's precision from its dismissed clues."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select

from data.calendar import add_working_days
from data.model.schema import AuditLog, Clue, ClueEvent
from data.rules.library import SHIPPED, RuleFileError, parse_library
from data.rules.workflow import (
    Move,
    WorkflowRefused,
    clue_deadlines,
    deadline_state,
    move_clue,
    proposed_handler,
    rule_precision,
    step_due,
    working_days_between,
)
from data.scope import Scope
from tests.support.small import CA, CB, T1, T2, V11, V21

D = dt.date
TEXT = SHIPPED.read_text(encoding="utf-8")
LIBRARY = parse_library(TEXT)


def test_five_working_days_across_the_national_day_holiday():
    # flagged Mon 29 Sep 2025: Tue 30 Sep, (1-8 Oct off), Thu 9, Fri 10, Sat 11 (make-up day), Mon 13
    assert step_due(D(2025, 9, 29), "flagged", LIBRARY) == D(2025, 10, 13)
    assert step_due(D(2025, 9, 29), "filed", LIBRARY) is None
    assert working_days_between(D(2025, 9, 29), D(2025, 10, 13)) == 5


@pytest.mark.parametrize(("today", "state"), [(D(2025, 10, 8), "ok"), (D(2025, 10, 9), "near"),
                                              (D(2025, 10, 13), "near"), (D(2025, 10, 14), "overdue")])
def test_near_is_three_working_days_before_the_deadline(today, state):
    assert deadline_state(D(2025, 10, 13), today, LIBRARY.near_days) == state


def test_the_workflow_section_sets_the_deadlines_and_refuses_nonsense():
    longer = parse_library(TEXT.replace("flagged: 5 ", "flagged: 10 "))
    assert longer.deadlines == {"flagged": 10, "verifying": 30, "verified": 10}
    assert longer.warning_days == {"red": 5, "orange": 10, "yellow": 15}
    for old, new, words in (("flagged: 5 ", "flagged: 0 ", "flagged 的时限应为 1 到 365 之间的整数"),
                            ("verifying: 30 ", "checking: 30 ", "没有办理环节 checking"),
                            ("red: 5", "red: 500", "red 的时限应为 1 到 365 之间的整数"),
                            ("yellow: 15", "green: 15", "没有预警等级 green"),
                            ("near_days: 3 ", "near_days: -1 ", "near_days 应为 0 到 30 之间的整数")):
        with pytest.raises(RuleFileError) as caught:
            parse_library(TEXT.replace(old, new))
        [problem] = caught.value.problems
        line = next(i for i, text in enumerate(TEXT.replace(old, new).splitlines(), 1) if new.strip() in text)
        assert words in problem.zh and problem.line == line


def _clue(conn, clue_id: int, rule: str, status: str, flagged: dt.date, events: list[tuple[dt.date, str]],
          dismiss_reason: str | None = None) -> None:
    conn.execute(insert(Clue.__table__).values(
        id=clue_id, rule=rule, region_code=V11 if clue_id % 2 else V21, subject_key=f"S{clue_id}", amount=100,
        score=80.0, evidence={"n": clue_id}, status=status, flagged_on=flagged, dismiss_reason=dismiss_reason))
    conn.execute(insert(ClueEvent.__table__), [dict(clue_id=clue_id, at=at, status=s, note="") for at, s in events])


def test_open_clues_are_due_from_the_day_they_entered_their_step(conn):
    _clue(conn, 101, "split_expense", "flagged", D(2026, 2, 23), [(D(2026, 2, 23), "flagged")])
    _clue(conn, 102, "split_expense", "verifying", D(2026, 1, 5),
          [(D(2026, 1, 5), "flagged"), (D(2026, 1, 8), "verifying")])
    _clue(conn, 103, "split_expense", "dismissed", D(2026, 1, 5), [(D(2026, 1, 5), "flagged")])
    states = {day: clue_deadlines(conn, day, LIBRARY).set_index("id") for day in (D(2026, 2, 24), D(2026, 2, 25),
                                                                                   D(2026, 3, 2))}
    frame = states[D(2026, 3, 2)]
    assert 103 not in frame.index
    # flagged on the last day of the Spring Festival (15-23 Feb off): due the make-up Saturday 28 Feb
    assert frame.loc[101, "due"] == D(2026, 2, 28)
    assert [states[day].loc[101, "state"] for day in sorted(states)] == ["ok", "near", "overdue"]
    # 30 working days from 8 January, the holiday not counted, 14 Feb (make-up) counted
    assert frame.loc[102, "entered"] == D(2026, 1, 8) and frame.loc[102, "due"] == D(2026, 2, 26)
    assert working_days_between(D(2026, 1, 8), frame.loc[102, "due"]) == 30 and frame.loc[102, "state"] == "overdue"


def test_a_rules_precision_is_what_was_not_dismissed_as_a_false_positive(conn):
    for i, (status, why) in enumerate([("filed", None), ("dismissed", "handled"), ("dismissed", "false_positive"),
                                       ("dismissed", "false_positive"), ("flagged", None), ("verified", None)]):
        _clue(conn, 200 + i, "category_jump", status, D(2026, 1, 5), [(D(2026, 1, 5), "flagged")], why)
    row = rule_precision(conn).set_index("rule").loc["category_jump"]
    assert (row["clues"], row["decided"], row["false_positives"], row["precision"]) == (6, 4, 2, 0.5)


# ---------------------------------------------------------------- moves of the workflow

def _move(conn, clue_id, to, reason="核查需要", scope=("431000000000",), **kw):
    return move_clue(conn, Move(clue_id, to, reason, **kw), actor="tester", scope=Scope.of(*scope),
                     today=D(2025, 9, 29), library=LIBRARY)


def test_the_handler_is_the_body_above_the_cadres_concerned():
    village = V11
    assert proposed_handler(village, "split_expense", {}) == village[:9] + "000"       # village cadres: township
    assert proposed_handler(village, "deceased_payment", {}) == village[:6] + "000000"  # township office: county
    assert proposed_handler(village, "cadre_relative_benefit", {"post": "village_director"}) == village[:9] + "000"
    assert proposed_handler(village, "cadre_relative_benefit", {"post": "镇党委委员"}) == village[:6] + "000000"
    assert proposed_handler(CA, "split_expense", {}) == CA


def test_a_clue_moves_step_by_step_with_a_reason_a_handler_and_a_working_day_deadline(conn):
    _clue(conn, 301, "split_expense", "flagged", D(2025, 9, 22), [(D(2025, 9, 22), "flagged")])
    town = V11[:9] + "000"
    with pytest.raises(WorkflowRefused, match="handler"):
        _move(conn, 301, "verifying")
    with pytest.raises(WorkflowRefused, match="reason"):
        _move(conn, 301, "verifying", reason=" ", handler_code=town)
    with pytest.raises(WorkflowRefused, match="cannot move"):
        _move(conn, 301, "filed", handler_code=town)
    # assigned on Mon 29 Sep 2025: 30 working days, 1-8 Oct off, Sat 11 Oct worked
    assert _move(conn, 301, "verifying", handler_code=town)["due_on"] == add_working_days(D(2025, 9, 29), 30)
    moved = _move(conn, 301, "verified")
    # verified the same day: 10 working days: 30 Sep, 9, 10, 11 (make-up), 13-17, 20 Oct
    assert moved["due_on"] == D(2025, 10, 20) and moved["handler_code"] == town
    with pytest.raises(WorkflowRefused, match="why"):
        _move(conn, 301, "dismissed")
    _move(conn, 301, "dismissed", reason="经核实不属实", dismiss_reason="false_positive")
    row = conn.execute(select(Clue.status, Clue.dismiss_reason, Clue.due_on, Clue.verified_on)
                       .where(Clue.id == 301)).one()
    assert tuple(row) == ("dismissed", "false_positive", None, D(2025, 9, 29))
    history = conn.execute(select(ClueEvent.status, ClueEvent.actor, ClueEvent.note)
                           .where(ClueEvent.clue_id == 301).order_by(ClueEvent.id)).all()
    assert [tuple(h) for h in history][1:] == [("verifying", "tester", "核查需要"), ("verified", "tester", "核查需要"),
                                              ("dismissed", "tester", "经核实不属实")]
    audited = conn.execute(select(AuditLog.action, AuditLog.object).where(AuditLog.object == "clue:301")).all()
    assert len(audited) == 3 and {a for a, _ in audited} == {"clue_move"}
    with pytest.raises(WorkflowRefused, match="cannot"):
        _move(conn, 301, "verifying", handler_code=town)


def test_a_clue_outside_the_jurisdiction_cannot_be_moved_or_handed_out_of_it(conn):
    _clue(conn, 302, "split_expense", "flagged", D(2025, 9, 22), [(D(2025, 9, 22), "flagged")])  # in V21, T2
    with pytest.raises(WorkflowRefused, match="jurisdiction"):
        _move(conn, 302, "verifying", handler_code=T2, scope=(CB,))
    with pytest.raises(WorkflowRefused, match="handler unit is outside"):
        _move(conn, 302, "verifying", handler_code=T1, scope=(T2,))
    assert _move(conn, 302, "verifying", handler_code=T2, scope=(T2,))["status"] == "verifying"
