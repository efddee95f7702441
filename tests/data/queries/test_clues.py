"""The clue queries on the county demo: the funnel agrees with the status table, the deadline
counts with the workflow's own judgement, the list's filters with plain SQL, and the card
shows both sides of the evidence with pseudonymous keys only, never a complainant."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from data.queries import clues as qc
from data.records import fetch_records
from data.rules.library import active_library
from data.rules.workflow import STATUSES, clue_deadlines
from data.scope import Scope
from views import clues as view

COUNTY = Scope.of("431023")
ELSEWHERE = Scope.of("431021")


def _sql(conn, sql, **params):
    return conn.execute(text(sql), params).all()


def test_the_funnel_counts_equal_the_status_table(demo_engine):
    with demo_engine.connect() as conn:
        table = {s: (n, round(float(a), 2)) for s, n, a in _sql(conn, "SELECT status, COUNT(*), SUM(amount) FROM clue "
                                                                     "GROUP BY status")}
        counts = qc.status_counts(conn, COUNTY).set_index("status")
        assert list(counts.index) == list(STATUSES)
        for by in ("county", "rule"):
            funnel = qc.funnel(conn, COUNTY, by).groupby("status")[["clues", "amount"]].sum()
            for status in STATUSES:
                n, amount = table.get(status, (0, 0.0))
                assert int(counts.loc[status, "clues"]) == n == int(funnel["clues"].get(status, 0)), (by, status)
                assert round(float(funnel["amount"].get(status, 0)), 2) == amount
        assert int(qc.status_counts(conn, ELSEWHERE)["clues"].sum()) == 0
        assert sum(n for n, _ in table.values()) > 10


def test_deadline_counts_agree_with_the_workflow_judgement(demo_engine):
    with demo_engine.connect() as conn:
        library, today = active_library(conn), qc.workflow_today(conn)
        counts = qc.deadline_counts(conn, COUNTY, library)
        judged = clue_deadlines(conn, today, library)["state"].value_counts()
        listed, total = fetch_records(conn, COUNTY, "clue_list", {"region": "431023000000", "deadline": "overdue"},
                                      limit=1000)
    assert counts["overdue"] == int(judged.get("overdue", 0)) == total >= 1
    assert counts["near"] == int(judged.get("near", 0))
    assert set(listed["deadline"]) == {"overdue"}


def test_the_list_filters_by_rule_status_handler_and_score(demo_engine):
    with demo_engine.connect() as conn:
        rule, status, handler = _sql(conn, "SELECT rule, status, handler_code FROM clue WHERE handler_code IS NOT NULL "
                                           "ORDER BY id LIMIT 1")[0]
        params = {"region": "431023000000", "rule": rule, "status": status, "handler": handler, "min_score": 80}
        frame, total = fetch_records(conn, COUNTY, "clue_list", params, limit=1000)
        expect = _sql(conn, "SELECT COUNT(*) FROM clue WHERE rule = :r AND status = :s AND handler_code = :h "
                            "AND score >= 80", r=rule, s=status, h=handler)[0][0]
        unassigned = fetch_records(conn, COUNTY, "clue_list", {"region": "431023000000", "handler": "none"})[1]
        assert unassigned == _sql(conn, "SELECT COUNT(*) FROM clue WHERE handler_code IS NULL")[0][0]
        assert fetch_records(conn, ELSEWHERE, "clue_list", {"region": "431023000000"})[1] == 0
    assert total == expect and set(frame["rule"]) <= {rule}


def test_a_deceased_payment_card_shows_the_payments_beside_the_death_record(demo_engine):
    with demo_engine.connect() as conn:
        clue_id, subject = _sql(conn, "SELECT id, subject_key FROM clue WHERE rule = 'deceased_payment' "
                                      "ORDER BY id LIMIT 1")[0]
        died = _sql(conn, "SELECT deceased_date FROM person WHERE person_key = :k", k=subject)[0][0]
    card = view.card_view(demo_engine, COUNTY, clue_id, "zh-CN")
    assert card["payments"]["beneficiary_key"].eq(subject).all() and len(card["payments"]) >= 1
    assert (card["payments"]["due_date"].astype(str) > str(died)).all()
    assert card["persons"].iloc[0]["person_key"] == subject and str(card["persons"].iloc[0]["deceased_date"]) == str(died)
    assert card["finding"] == "向已登记死亡人员发放民生资金" and "grace_days" in card["params"]
    assert card["history"]["status"].iloc[0] == "flagged"
    assert view.card_view(demo_engine, ELSEWHERE, clue_id, "zh-CN") is None


@pytest.mark.parametrize("rule", ["split_expense", "cadre_relative_benefit"])
def test_a_card_never_shows_a_name_a_phone_or_an_id_number(demo_engine, rule):
    with demo_engine.connect() as conn:
        found = _sql(conn, "SELECT id, region_code FROM clue WHERE rule = :r ORDER BY id LIMIT 1", r=rule)
        if not found:
            pytest.skip(f"the demo has no {rule} clue")
        clue_id, village = found[0]
        secrets = {v for row in _sql(conn, "SELECT complainant_name, complainant_phone, complainant_id_number "
                                           "FROM complaint WHERE village_code = :v", v=village) for v in row if v}
        secrets |= {v for row in _sql(conn, "SELECT name, id_number FROM beneficiary_identity") for v in row if v}
    card = view.card_view(demo_engine, COUNTY, clue_id, "zh-CN")
    shown = json.dumps({k: (v.astype(str).to_dict("records") if hasattr(v, "to_dict") else v) for k, v in card.items()},
                       ensure_ascii=False, default=str)
    assert card["counts"]["complaints"] >= 0 and secrets
    assert not [s for s in secrets if s in shown]


def test_a_places_clues_and_warnings_are_listed_together_newest_first(demo_engine):
    with demo_engine.connect() as conn:
        town = _sql(conn, "SELECT substr(region_code, 1, 9) || '000' FROM clue GROUP BY 1 ORDER BY COUNT(*) DESC")[0][0]
        lo = town[:9]
        n_clues = _sql(conn, "SELECT COUNT(*) FROM clue WHERE substr(region_code, 1, 9) = :t", t=lo)[0][0]
        n_warnings = _sql(conn, "SELECT COUNT(*) FROM warning WHERE substr(region_code, 1, 9) = :t", t=lo)[0][0]
        frame = qc.place_oversight(conn, COUNTY, town, active_library(conn), limit=500)
        assert qc.place_oversight(conn, ELSEWHERE, town, active_library(conn)).empty
    assert (frame["kind"] == "clue").sum() == n_clues and (frame["kind"] == "warning").sum() == n_warnings >= 1
    assert list(frame["day"]) == sorted(frame["day"], reverse=True) and frame["region_code"].str.startswith(lo).all()
