"""Each comparison rule on the small hand-made dataset with cases built to be just outside
it (paid before the death, a cadre's relative on a programme that is not means-tested, two
payments of different periods, expenses to one counterparty four days apart or at the
threshold): nothing is found. The same cases moved just inside are each found once, so the
quiet is the rules' judgement, not empty input."""
from __future__ import annotations

import datetime as dt
import math

import pytest
from sqlalchemy import insert

from data.model.schema import Disclosure, FundPayment, Person, VillageLedger
from data.rules.comparison import run_rules
from data.rules.library import SHIPPED, parse_library
from tests.support.small import V11, V12, V21

AS_OF = dt.date(2026, 3, 1)
DIBAO, GENGDI = 1, 2
D = dt.date


def _person(**values) -> dict:
    return {"deceased_date": None, "official_post": None, "relative_of": None, "relation": "",
            "has_vehicle": False, "has_property": False, **values}


def _persons(conn, relative_program: int) -> None:
    conn.execute(insert(Person.__table__), [_person(**p) for p in [
        dict(person_key="PDEAD", village_code=V11, deceased_date=D(2026, 1, 15), has_vehicle=False, has_property=False),
        dict(person_key="PCADRE", village_code=V12, official_post="village_director", has_vehicle=False,
             has_property=False),
        dict(person_key="PREL", village_code=V12, relative_of="PCADRE", relation="spouse", has_vehicle=False,
             has_property=False),
        dict(person_key="PCAR", village_code=V21, has_vehicle=True, has_property=False)]])
    rows = [(901, DIBAO, V11, "PDEAD", D(2026, 1, 10), D(2026, 1, 12)),      # due before the death
            (902, relative_program, V12, "PREL", D(2026, 2, 10), D(2026, 2, 11)),
            (903, GENGDI, V21, "PCAR", D(2026, 2, 10), D(2026, 2, 11)),      # not 低保 / 特困
            (904, DIBAO, V11, "PTWICE", D(2026, 1, 10), D(2026, 1, 11)),
            (905, DIBAO, V11, "PTWICE", D(2026, 2, 10), D(2026, 2, 11))]     # two periods, paid once each
    conn.execute(insert(FundPayment.__table__), [
        dict(id=i, program_id=p, village_code=v, beneficiary_key=b, amount=420, due_date=due, paid_date=paid,
             payment_no=f"ZF{i}", period=f"{due:%Y-%m}") for i, p, v, b, due, paid in rows])


def _expenses(conn, gap_days: int, amount: float, count: int = 3) -> None:
    conn.execute(insert(VillageLedger.__table__), [
        dict(id=900 + i, village_code=V21, entry_date=D(2026, 2, 2) + dt.timedelta(days=gap_days * i),
             direction="expense", category="construction", amount=amount, counterparty="某某建材", voucher_no=f"JZ-9{i}")
        for i in range(count)])


@pytest.mark.parametrize("shift", ["outside", "inside"])
def test_cases_just_outside_find_nothing_and_just_inside_one_each(conn, shift):
    inside = shift == "inside"
    _persons(conn, relative_program=DIBAO if inside else GENGDI)
    _expenses(conn, gap_days=3 if inside else 4, amount=4800.0)
    _expenses_at_threshold = [dict(id=950 + i, village_code=V12, entry_date=D(2026, 2, 2 + i), direction="expense",
                                   category="construction", amount=5000.0, counterparty="另一家", voucher_no=f"JZ-95{i}")
                              for i in range(3)]
    conn.execute(insert(VillageLedger.__table__), _expenses_at_threshold)
    if inside:  # paid for a period after the death; the same period twice; a car owner on 低保
        conn.execute(insert(FundPayment.__table__), [
            dict(id=906, program_id=DIBAO, village_code=V11, beneficiary_key="PDEAD", amount=420, due_date=D(2026, 2, 10),
                 paid_date=D(2026, 2, 11), payment_no="ZF906", period="2026-02"),
            dict(id=907, program_id=DIBAO, village_code=V11, beneficiary_key="PTWICE", amount=420,
                 due_date=D(2026, 2, 10), paid_date=D(2026, 2, 12), payment_no="ZF907", period="2026-02"),
            dict(id=908, program_id=DIBAO, village_code=V21, beneficiary_key="PCAR", amount=420,
                 due_date=D(2026, 2, 10), paid_date=D(2026, 2, 11), payment_no="ZF908", period="2026-02")])
    found = run_rules(conn, AS_OF, library=parse_library(SHIPPED.read_text(encoding="utf-8")))
    expected = ["beneficiary_assets", "cadre_relative_benefit", "deceased_payment", "duplicate_payment",
                "split_expense"] if inside else []
    assert sorted(found["rule"]) == expected, found[["rule", "subject_key"]]


def test_a_grace_period_lets_a_payment_just_after_the_death_pass(conn):
    _persons(conn, relative_program=GENGDI)
    conn.execute(insert(FundPayment.__table__), [dict(
        id=906, program_id=DIBAO, village_code=V11, beneficiary_key="PDEAD", amount=420, due_date=D(2026, 1, 20),
        paid_date=D(2026, 1, 21), payment_no="ZF906", period="2026-01")])
    text = SHIPPED.read_text(encoding="utf-8")
    strict, lenient = parse_library(text), parse_library(text.replace("grace_days: 0 ", "grace_days: 10 "))
    assert list(run_rules(conn, AS_OF, library=strict)["rule"]) == ["deceased_payment"]
    assert run_rules(conn, AS_OF, library=lenient).empty


@pytest.mark.parametrize(("recent", "found"), [(2900.0, 0), (3100.0, 1)])
def test_a_category_jumps_only_at_three_times_its_own_history(conn, recent, found):
    """Hospitality at 1,000 a month for the year before, then `recent` a month for six
    months: 2.9 times stays quiet, 3.1 times (12,600 more) is a clue; construction, spent
    by project, is never compared. On Sunday 1 March the weekly run has seen January
    whole (February is seen on Monday 2 March): the window is August to January."""
    from data.calendar import fill_calendar
    fill_calendar(conn, D(2024, 8, 1), D(2026, 3, 31))
    months = [D(2024 + (7 + i) // 12, (7 + i) % 12 + 1, 15) for i in range(18)]  # 2024-08 .. 2026-01
    rows = [(m, 1000.0 if i < 12 else recent, "hospitality") for i, m in enumerate(months)]
    rows += [(m, 500.0 if i < 12 else 90_000.0, "construction") for i, m in enumerate(months)]
    conn.execute(insert(VillageLedger.__table__), [
        dict(id=960 + i, village_code=V21, entry_date=day, direction="expense", category=category, amount=amount,
             counterparty="饭店", voucher_no=f"JZ-96{i}") for i, (day, amount, category) in enumerate(rows)])
    clues = run_rules(conn, AS_OF, rules=("category_jump",), library=parse_library(SHIPPED.read_text(encoding="utf-8")))
    assert len(clues) == found
    if found:
        [evidence] = clues["evidence"]
        assert clues["subject_key"].iloc[0] == "hospitality" and evidence["from_month"] == 202508
        assert (evidence["monthly_before"], evidence["monthly_recent"]) == (1000.0, 3100.0)
        assert clues["amount"].iloc[0] == 12_600.0


@pytest.mark.parametrize(("amount", "tolerance", "found"), [(100.0, "0", 0), (110.0, "0.1", 0), (110.5, "0.1", 1)])
def test_a_payment_above_its_standard(conn, amount, tolerance, found):
    """耕地地力保护补贴 at the small dataset's standard of 100 (named a fixed-standard
    programme here): at the standard, or within 10 % when 10 % is let pass, nothing;
    110.50 is 10.50 above."""
    conn.execute(insert(FundPayment.__table__), [dict(
        id=990, program_id=GENGDI, village_code=V11, beneficiary_key="PHIGH", amount=amount, due_date=D(2026, 2, 10),
        paid_date=D(2026, 2, 11), payment_no="ZF990", period="2026-02")])
    text = SHIPPED.read_text(encoding="utf-8").replace("programs: [tekun, disability, elderly]", "programs: [gengdi]")
    library = parse_library(text.replace("tolerance: 0 ", f"tolerance: {tolerance} "))
    clues = run_rules(conn, AS_OF, rules=("payment_above_standard",), library=library)
    assert len(clues) == found
    if found:
        assert clues["amount"].iloc[0] == 10.5 and clues["evidence"].iloc[0]["payment_ids"] == [990]


@pytest.mark.parametrize(("expenses", "round_ones", "found"), [(40, 2, 0), (30, 4, 0), (40, 10, 1)])
def test_round_amounts_need_the_share_and_the_binomial_test(conn, expenses, round_ones, found):
    """Expenses from February 2025 to January 2026 (the months the run on 1 March 2026 has
    seen whole): 2 of 40 in whole hundreds is below the 10 % share; 4 of 30 (13 %) is above
    it but p = 0.003 against the usual 2 %; 10 of 40 gives p = 5e-9: a clue."""
    conn.execute(insert(VillageLedger.__table__), [dict(
        id=1000 + i, village_code=V21, entry_date=D(2025, 2, 3) + dt.timedelta(days=9 * i), direction="expense",
        category="other_expense", amount=800.0 if i < round_ones else 812.37 + i, counterparty="商店",
        voucher_no=f"JZ-R{i}") for i in range(expenses)])
    clues = run_rules(conn, AS_OF, rules=("round_amounts",), library=parse_library(SHIPPED.read_text(encoding="utf-8")))
    assert len(clues) == found
    if found:
        evidence = clues["evidence"].iloc[0]
        # the small dataset's own office expense of January counts too: 41
        assert (evidence["expenses"], evidence["round"], evidence["from_month"], evidence["to_month"]) == (41, 10, 202502,
                                                                                                          202601)
        assert evidence["test"] == "one-sided exact binomial" and 1e-9 < evidence["p_value"] < 1e-8


@pytest.mark.parametrize(("program", "found"), [(GENGDI, 0), (DIBAO, 1)])
def test_a_cadre_on_means_tested_aid_themself(conn, program, found):
    """The village director receiving 低保 is a clue as much as the director's spouse; on
    the farmland subsidy (not means-tested) neither is."""
    _persons(conn, relative_program=GENGDI)
    conn.execute(insert(FundPayment.__table__), [dict(
        id=995, program_id=program, village_code=V12, beneficiary_key="PCADRE", amount=420, due_date=D(2026, 2, 10),
        paid_date=D(2026, 2, 11), payment_no="ZF995", period="2026-02")])
    clues = run_rules(conn, AS_OF, rules=("cadre_relative_benefit",),
                      library=parse_library(SHIPPED.read_text(encoding="utf-8")))
    assert len(clues) == found
    if found:
        assert clues["subject_key"].iloc[0] == "PCADRE"
        assert clues["evidence"].iloc[0] == {"cadre_key": "PCADRE", "post": "village_director", "payments": 1,
                                             "first_paid": "2026-02-11", "self": True}


SHIPPED_LIBRARY = parse_library(SHIPPED.read_text(encoding="utf-8"))
BENFORD_COUNTS = [30, 18, 12, 10, 8, 7, 6, 5, 4]  # 100 expenses, about as Benford's law has them


def _digit_expenses(conn, counts: list[int], first_id: int = 2000) -> None:
    """Expenses of 三村 from February 2025 to January 2026, `counts[d - 1]` of them with the
    first digit d (amounts like 412.37: never whole hundreds)."""
    rows, i = [], 0
    for digit, count in enumerate(counts, 1):
        for _ in range(count):
            rows.append(dict(id=first_id + i, village_code=V21, entry_date=D(2025, 2, 3) + dt.timedelta(days=i % 360),
                             direction="expense", category="other_expense", amount=digit * 100 + 12.37,
                             counterparty="商店", voucher_no=f"JZ-B{first_id + i}"))
            i += 1
    for start in range(0, len(rows), 500):
        conn.execute(insert(VillageLedger.__table__), rows[start:start + 500])


@pytest.mark.parametrize(("counts", "found"), [
    (BENFORD_COUNTS, 0),                                  # as Benford's law has it
    ([10, 8, 6, 10, 12, 14, 13, 13, 13], 1),              # made up: high first digits
    ([10, 8, 6, 10, 12, 14, 13, 13, 12], 0),              # the same, 98 expenses: below min_sample
    ([22, 18, 12, 14, 12, 7, 6, 5, 4], 0),                # MAD 0.018 but p = 0.6: chance at this size
    ([c * 50 for c in (29, 18, 12, 10, 8, 7, 6, 5, 5)], 0),  # 5,000: p < 1e-5 but MAD 0.005, trivial
])
def test_benford_needs_the_sample_the_test_and_the_deviation(conn, counts, found):
    """The small dataset's own expense of 10.01 in January counts too (digit 1): n = sum + 1."""
    _digit_expenses(conn, counts)
    clues = run_rules(conn, AS_OF, rules=("benford_first_digit",), library=SHIPPED_LIBRARY)
    assert len(clues) == found, clues["evidence"].tolist()
    if found:
        evidence = clues["evidence"].iloc[0]
        assert clues["subject_key"].iloc[0] == V21 and evidence["expenses"] == 100
        assert evidence["test"].startswith("chi-square") and evidence["p_value"] < 1e-5 <= evidence["mad"]
        assert evidence["counts"] == [11, 8, 6, 10, 12, 14, 13, 13, 13]
        assert (evidence["from_month"], evidence["to_month"]) == (202502, 202601)
        assert evidence["expected_share"][0] == 0.301 and evidence["skip_categories"] == ["cadre_pay"]


def test_benford_leaves_out_small_amounts_and_fixed_pay(conn):
    """The made-up expenses as cadres' pay, or the same 100 under 10 yuan: nothing."""
    _digit_expenses(conn, [10, 8, 6, 10, 12, 14, 13, 13, 13])
    conn.execute(VillageLedger.__table__.update().where(VillageLedger.id >= 2000).values(category="cadre_pay"))
    assert run_rules(conn, AS_OF, rules=("benford_first_digit",), library=SHIPPED_LIBRARY).empty
    conn.execute(VillageLedger.__table__.update().where(VillageLedger.id >= 2000).values(
        category="other_expense", amount=VillageLedger.amount / 100))
    assert run_rules(conn, AS_OF, rules=("benford_first_digit",), library=SHIPPED_LIBRARY).empty


def test_chi_square_survival_for_even_degrees_of_freedom():
    from data.rules.benford import chi2_sf_even
    assert chi2_sf_even(15.507, 8) == pytest.approx(0.05, abs=1e-4)   # the table's 5 % point
    assert chi2_sf_even(20.090, 8) == pytest.approx(0.01, abs=1e-4)
    assert chi2_sf_even(2.0, 2) == pytest.approx(math.exp(-1))
    assert chi2_sf_even(0.0, 8) == 1.0 and chi2_sf_even(3000.0, 8) == 0.0


def _finance_item(conn, published=None, kind="finance") -> None:
    """三村's finance disclosure of November 2025, due 10 December (30 days on: 9 January)."""
    conn.execute(insert(Disclosure.__table__), [dict(id=90, village_code=V21, kind=kind, period="2025-11",
                                                     due_date=D(2025, 12, 10), published_date=published,
                                                     item_no="GK-90")])


def _spending(conn, *days_amounts) -> None:
    conn.execute(insert(VillageLedger.__table__), [
        dict(id=3000 + i, village_code=V21, entry_date=day, direction="expense", category="public_welfare",
             amount=amount, counterparty="施工队", voucher_no=f"JZ-S{i}") for i, (day, amount) in enumerate(days_amounts)])


INSIDE = ((D(2026, 1, 12), 3000.0), (D(2026, 1, 14), 2500.0), (D(2026, 1, 20), 800.0))


@pytest.mark.parametrize(("case", "found"), [
    ("inside", 1),
    ("within 30 days", 0),        # 6,000 spent on day 30 (9 January): overdue, but not by more than 30 days
    ("below the amount", 0),      # 4,999.01 spent in the overdue time (with the 10.01 of 15 January)
    ("published meanwhile", 0),   # published on 14 January: only the 3,000 of the 12th was spent before
    ("village affairs", 0),       # an overdue village-affairs item is not the finance disclosure
])
def test_spending_while_the_finance_disclosure_is_overdue(conn, case, found):
    _finance_item(conn, published=D(2026, 1, 14) if case == "published meanwhile" else None,
                  kind="village_affairs" if case == "village affairs" else "finance")
    if case == "within 30 days":
        _spending(conn, (D(2026, 1, 9), 6000.0))
    elif case == "below the amount":
        _spending(conn, (D(2026, 1, 12), 2989.0), (D(2026, 1, 14), 2000.0))
    else:
        _spending(conn, *INSIDE)
    clues = run_rules(conn, AS_OF, rules=("spending_disclosure_overdue",), library=SHIPPED_LIBRARY)
    assert len(clues) == found, clues
    if found:  # 5,500 reached on Wednesday 14 January: that week's spending (with the small dataset's
        # 10.01 of the 15th, not the 800 of the 20th), flagged on Monday 19 January
        clue = clues.iloc[0]
        assert (clue["subject_key"], clue["amount"], clue["flagged_on"]) == ("GK-90", 5510.01, D(2026, 1, 19))
        assert clue["evidence"] == {
            "item_no": "GK-90", "kind": "finance", "period": "2025-11", "due_date": "2025-12-10", "overdue_days": 30,
            "overdue_from": "2026-01-10", "days_overdue": 35, "expenses": 3, "total": 5510.01,
            "ledger_ids": [3000, 3001, 5], "from_date": "2026-01-12", "to_date": "2026-01-15"}


def test_a_later_week_raises_the_same_overdue_clue_again(conn):
    """Run on 25 January and on 1 March, with more spending between: one and the same clue
    (its identity is its evidence), so the weekly run adds nothing new."""
    _finance_item(conn)
    _spending(conn, *INSIDE, (D(2026, 2, 10), 9000.0))
    early = run_rules(conn, D(2026, 1, 25), rules=("spending_disclosure_overdue",), library=SHIPPED_LIBRARY)
    late = run_rules(conn, AS_OF, rules=("spending_disclosure_overdue",), library=SHIPPED_LIBRARY)
    assert early.to_dict("records") == late.to_dict("records") and len(late) == 1


JAN_10 = D(2026, 1, 10)


def _late_payments(conn, *paid, period="2026-01", due=JAN_10, first_id=4000) -> None:
    """低保 of 一村 due 10 January (30 days on: 9 February), paid on these days (None: not paid)."""
    conn.execute(insert(FundPayment.__table__), [
        dict(id=first_id + i, program_id=DIBAO, village_code=V11, beneficiary_key=f"PLATE{first_id + i}", amount=420,
             due_date=due, paid_date=day, payment_no=f"ZF{first_id + i}", period=period) for i, day in enumerate(paid)])


@pytest.mark.parametrize(("case", "found"), [
    ("inside", 1),              # unpaid, paid on day 31, paid on day 45
    ("one paid on day 30", 0),  # within its 30 days: two overdue, fewer than min_payments 3
    ("two periods", 0),         # three overdue, but two of January and one of December
    ("not judged yet", 0),      # one more of January falls due 5 February: judged from 9 March
    ("a small share", 0),       # three of 31 payments of January (9.7 %): below min_share 10 %
])
def test_payments_overdue_per_village_programme_and_period(conn, case, found):
    on_day_31 = D(2026, 2, 10)
    _late_payments(conn, None, D(2026, 2, 9) if case == "one paid on day 30" else on_day_31, D(2026, 2, 24),
                   D(2026, 1, 12))
    if case == "two periods":
        conn.execute(FundPayment.__table__.update().where(FundPayment.id == 4000).values(
            period="2025-12", due_date=D(2025, 12, 10)))
    if case == "not judged yet":
        _late_payments(conn, None, due=D(2026, 2, 5), first_id=4100)
    if case == "a small share":
        _late_payments(conn, *[D(2026, 1, 11)] * 27, first_id=4100)
    clues = run_rules(conn, AS_OF, rules=("payment_overdue",), library=SHIPPED_LIBRARY)
    assert len(clues) == found, clues
    if found:  # judged the Monday after 9 February; the payment of 24 February was still unpaid then
        clue = clues.iloc[0]
        assert (clue["subject_key"], clue["amount"], clue["flagged_on"]) == ("dibao:2026-01", 1260.0, D(2026, 2, 16))
        assert clue["evidence"] == {
            "program": "dibao", "period": "2026-01", "overdue_days": 30, "days": "calendar", "payments": 3,
            "due_payments": 4, "unpaid_when_flagged": 2, "total": 1260.0, "payment_ids": [4000, 4001, 4002],
            "due_from": "2026-01-10", "due_to": "2026-01-10"}


def test_the_three_new_rules_find_nothing_in_the_small_dataset(conn):
    """Its unpublished finance disclosure (due 23 February, an expense on the 28th) and its
    unpaid payment (due 25 February) are days overdue, not more than 30; its expenses are few."""
    rules = ("benford_first_digit", "spending_disclosure_overdue", "payment_overdue")
    assert run_rules(conn, AS_OF, rules=rules, library=SHIPPED_LIBRARY).empty
