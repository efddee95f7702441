"""The rule library as the commission's file: the shipped file parses; every kind of
mistake is refused with its line and nothing half-read is used; an applied file replaces
the one in use, a refused one leaves it; the thresholds and switches change what the
rules find; `cli.py rules run` is idempotent and speaks the exchange format's keys."""
from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from cli import app
from data.model.db import make_engine
from data.model.migrate import upgrade
from data.rules.comparison import run_rules
from data.rules.library import SHIPPED, RuleFileError, active_library, apply_library, parse_library
from tests.support.demo import DEMO_AS_OF

TEXT = SHIPPED.read_text(encoding="utf-8")


def _line_of(needle: str, text_: str = TEXT) -> int:
    return next(i for i, line in enumerate(text_.splitlines(), 1) if needle in line)


def _refused(text_: str) -> list:
    with pytest.raises(RuleFileError) as caught:
        parse_library(text_, "rules.yaml")
    return caught.value.problems


def test_the_shipped_library_holds_every_rule_with_its_thresholds():
    library = parse_library(TEXT)
    assert [r.code for r in library.enabled()] == ["deceased_payment", "cadre_relative_benefit", "beneficiary_assets",
                                                   "duplicate_payment", "payment_above_standard", "split_expense",
                                                   "round_amounts", "category_jump", "benford_first_digit",
                                                   "spending_disclosure_overdue", "payment_overdue"]
    split = library.rule("split_expense")
    assert split.params == {"threshold": 5000, "low": 4500, "min_entries": 3, "max_gap_days": 3}
    assert split.severity == "yellow" and split.compares == ("village_ledger",)
    assert library.rule("deceased_payment").finding_zh == "向已登记死亡人员发放民生资金"
    assert library.fed_by("village_ledger") == ("split_expense", "round_amounts", "category_jump", "benford_first_digit",
                                                "spending_disclosure_overdue")
    assert library.fed_by("disclosures") == ("spending_disclosure_overdue",)
    assert library.rule("payment_overdue").params == {"overdue_days": 30, "min_payments": 3, "min_share": 0.1}
    assert library.rule("benford_first_digit").finding_zh == "村级支出首位数字分布明显偏离本福特定律"
    assert library.fed_by("fund_programs") == ("cadre_relative_benefit", "beneficiary_assets", "payment_above_standard")


@pytest.mark.parametrize(("old", "new", "needle", "words"), [
    ("threshold: 5000 ", "threshold: -5 ", "threshold: -5", "threshold 应为 1 到 1e+07 之间的数，实为 -5"),
    ("min_entries: 3 ", "min_entries: 2.5 ", "min_entries: 2.5", "min_entries 应为 2 到 50 之间的整数"),
    ("compares: [village_ledger]", "compares: [village_ledger, ledgers]", "ledgers", "数据集 'ledgers' 不存在"),
    ("severity: yellow", "severity: purple", "purple", "severity 应为 red、orange 或 yellow"),
    ("code: split_expense", "code: split_expenses", "split_expenses", "未知规则 'split_expenses'"),
    ("grace_days: 0 ", "grace_days: 0\n      graze_days: 1 ", "graze_days", "没有阈值 graze_days"),
    ("low: 4500 ", "low: 6000 ", "low: 6000", "low 应小于 threshold"),
    ("programs: [dibao, tekun, housing]", "programs: []", "programs: []", "应为资金项目编码的列表"),
])
def test_a_mistake_is_refused_with_its_line(old, new, needle, words):
    assert old in TEXT, old
    changed = TEXT.replace(old, new, 1)
    problems = _refused(changed)
    assert [(p.line, words in p.zh) for p in problems] == [(_line_of(needle, changed), True)], problems


def test_a_file_that_is_not_yaml_names_its_line():
    broken = TEXT.replace("    params: {}", "    params: {threshold: [", 1)
    [problem] = _refused(broken)
    assert "不是有效的 YAML" in problem.zh and problem.line > _line_of("code: duplicate_payment")


def test_an_applied_library_is_in_use_and_a_refused_one_changes_nothing(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'rules.db'}")
    upgrade(engine)
    tuned = TEXT.replace("threshold: 5000 ", "threshold: 4000 ").replace("low: 4500 ", "low: 3600 ")
    with engine.begin() as conn:
        assert active_library(conn).rule("split_expense").params["threshold"] == 5000  # the shipped file
        apply_library(conn, tuned, source="tuned.yaml", user="test")
    with pytest.raises(RuleFileError), engine.begin() as conn:
        apply_library(conn, tuned.replace("threshold: 4000 ", "threshold: zero "), source="bad.yaml", user="test")
    with engine.connect() as conn:
        library = active_library(conn)
        assert library.source == "tuned.yaml" and library.rule("split_expense").params["threshold"] == 4000
    engine.dispose()


def test_thresholds_and_switches_change_what_is_found(demo_engine):
    shipped = parse_library(TEXT)
    stricter = parse_library(TEXT.replace("min_entries: 3 ", "min_entries: 9 "))
    off = parse_library(TEXT.replace("code: duplicate_payment\n    enabled: true", "code: duplicate_payment\n"
                                     "    enabled: false"))
    with demo_engine.connect() as conn:
        found = run_rules(conn, DEMO_AS_OF, library=shipped)
        assert {"split_expense", "duplicate_payment"} <= set(found["rule"])
        assert "split_expense" not in set(run_rules(conn, DEMO_AS_OF, library=stricter)["rule"])
        without = run_rules(conn, DEMO_AS_OF, library=off)
    assert "duplicate_payment" not in set(without["rule"])
    assert len(without) == len(found) - int((found["rule"] == "duplicate_payment").sum())


@pytest.fixture()
def demo_copy(demo_db_url, tmp_path) -> str:
    copy = tmp_path / "demo.db"
    shutil.copy(demo_db_url[len("sqlite:///"):], copy)
    return f"sqlite:///{copy}"


def test_rules_run_adds_nothing_on_a_rerun_and_prints_exchange_keys(demo_copy, tmp_path):
    runner = CliRunner()
    engine = make_engine(demo_copy)
    with engine.connect() as conn:
        before = conn.execute(text("SELECT COUNT(*) FROM clue")).scalar_one()
    first = runner.invoke(app, ["rules", "run", "--database-url", demo_copy])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["rules", "run", "--json", "--database-url", demo_copy])
    assert again.exit_code == 0, again.output
    clues = [json.loads(line) for line in again.output.splitlines() if line.startswith("{")]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM clue")).scalar_one() == before == len(clues) > 0
        payment_numbers = set(conn.execute(text("SELECT payment_no FROM fund_payment")).scalars())
        vouchers = set(conn.execute(text("SELECT voucher_no FROM village_ledger")).scalars())
        items = set(conn.execute(text("SELECT item_no FROM disclosure WHERE kind = 'finance'")).scalars())
    engine.dispose()
    by_rule = {c["rule"]: c for c in clues}
    assert set(by_rule["deceased_payment"]["evidence"]["payment_no"]) <= payment_numbers
    assert by_rule["deceased_payment"]["evidence"]["person_key"] == [by_rule["deceased_payment"]["subject_key"]]
    assert set(by_rule["split_expense"]["evidence"]["voucher_no"]) <= vouchers
    assert set(by_rule["spending_disclosure_overdue"]["evidence"]["voucher_no"]) <= vouchers
    assert set(by_rule["spending_disclosure_overdue"]["evidence"]["item_no"]) <= items
    assert set(by_rule["payment_overdue"]["evidence"]["payment_no"]) <= payment_numbers
    assert {"rule", "region_code", "subject_key", "amount", "score", "status"} <= set(clues[0])
    one = runner.invoke(app, ["rules", "run", "--json", "--rule", "split_expense", "--database-url", demo_copy])
    assert {json.loads(line)["rule"] for line in one.output.splitlines() if line.startswith("{")} == {"split_expense"}


def test_rules_apply_refuses_a_bad_file_and_keeps_the_rules(demo_copy, tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text(TEXT.replace("threshold: 5000 ", "threshold: -1 "), encoding="utf-8")
    refused = CliRunner().invoke(app, ["rules", "apply", str(bad), "--database-url", demo_copy])
    assert refused.exit_code == 1
    assert f"第 {_line_of('threshold: 5000')} 行" in refused.output and "原规则不变" in refused.output
    engine = make_engine(demo_copy)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM rule_library")).scalar_one() == 0
    engine.dispose()


def test_every_planted_case_of_the_demo_is_found(demo_engine):
    from data.rules.evaluation import evaluate
    with demo_engine.connect() as conn:
        planted = dict(conn.execute(text("SELECT kind, COUNT(*) FROM demo_truth GROUP BY kind")).all())
        frame = evaluate(conn, DEMO_AS_OF, parse_library(TEXT)).set_index("rule")
    planted["category_jump"] = planted["spending_outlier"]  # the outlier village's hospitality
    for rule in ("deceased_payment", "cadre_relative_benefit", "duplicate_payment", "payment_above_standard",
                 "split_expense", "round_amounts", "category_jump", "benford_first_digit", "spending_disclosure_overdue",
                 "payment_overdue"):
        assert frame.loc[rule, "planted"] == planted[rule] > 0 and frame.loc[rule, "recall"] == 1.0, rule
        assert frame.loc[rule, "matching"] <= frame.loc[rule, "clues"]
    for rule in ("benford_first_digit", "spending_disclosure_overdue", "payment_overdue"):  # and nothing else
        assert frame.loc[rule, "precision"] == 1.0, rule


def test_rules_eval_prints_recall_and_precision(demo_copy):
    shown = CliRunner().invoke(app, ["rules", "eval", "--json", "--database-url", demo_copy])
    assert shown.exit_code == 0, shown.output
    rows = {r["rule"]: r for r in map(json.loads, (line for line in shown.output.splitlines() if line.startswith("{")))}
    assert rows["split_expense"]["recall"] == 1.0 and rows["beneficiary_assets"]["recall"] is None


def test_rules_list_shows_each_rule_with_its_hits_and_open_deadlines(demo_copy):
    shown = CliRunner().invoke(app, ["rules", "list", "--database-url", demo_copy], env={"COLUMNS": "220"})
    assert shown.exit_code == 0, shown.output
    assert "split_expense" in shown.output and "precision" in shown.output and "超期 overdue" in shown.output
