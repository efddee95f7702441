"""Information-comparison rules (信息比对): cross-checks that turn raw rows into problem clues.

`run_rules(conn, as_of)` runs every rule that is on in the rule library (data.rules.library:
the commission's file, with each rule's thresholds) over the loaded data and returns one row per
clue (rule, region_code, subject_key, amount, score 0-100, evidence dict, flagged_on).
flagged_on is the Monday after the evidence appeared: the comparison runs weekly, so that
is the day the clue would have been raised. Rules are SQL with bound parameters; pandas
only post-processes the (small) candidate sets.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math

import numpy as np
import pandas as pd
from sqlalchemy import insert, text

from data.model.schema import Clue, ClueEvent
from data.rules.base import (
    CLUE_COLUMNS,
    dates,
    ids_sql,
    last_seen_month,
    month_end,
    month_key,
    next_monday,
    program_ids,
    query,
    within,
)
from data.rules.benford import benford_first_digit
from data.rules.library import Library, active_library
from data.rules.timeliness import payment_overdue, spending_disclosure_overdue


def run_rules(conn, as_of: dt.date, ranges: list[tuple[str, str]] | None = None,
              rules: tuple[str, ...] | None = None, library: Library | None = None) -> pd.DataFrame:
    """All clues flagged up to `as_of`, in a stable order (flagged_on, rule, subject);
    `ranges` (code ranges): only the clues of villages in them (after an import); `rules`:
    only these (RULES keys; an import runs the rules its dataset feeds); `library`: the
    rules' switches and thresholds (default: the library in use in this database)."""
    library = library or active_library(conn)
    frames = [RULES[spec.code](conn, as_of, ranges, spec.params) for spec in library.enabled()
              if rules is None or spec.code in rules]
    clues = pd.concat([f for f in frames if not f.empty] or [pd.DataFrame(columns=CLUE_COLUMNS)],
                      ignore_index=True)
    clues = clues[clues["flagged_on"] <= as_of]
    return clues.sort_values(["flagged_on", "rule", "subject_key"], kind="stable").reset_index(drop=True)


def deceased_payments(conn, as_of: dt.date, ranges, params: dict) -> pd.DataFrame:
    """Payments for periods after the beneficiary's registered death (冒领)."""
    # CROSS JOIN: SQLite keeps that order, the few registered persons first and their
    # payments by index (1.0 s -> 0.02 s at city scale); with JOIN it scans every payment
    rows = dates(query(conn, f"""
        SELECT p.id, p.beneficiary_key, p.village_code, p.amount, p.due_date, p.paid_date,
               r.deceased_date
        FROM person r CROSS JOIN fund_payment p
        WHERE p.beneficiary_key = r.person_key AND r.deceased_date IS NOT NULL AND p.paid_date IS NOT NULL
          AND p.due_date > r.deceased_date AND p.paid_date <= :as_of{within("p.village_code", ranges)}
        ORDER BY p.beneficiary_key, p.paid_date, p.id""", as_of=as_of),
        "due_date", "paid_date", "deceased_date")
    grace = int(params["grace_days"])
    if grace and not rows.empty:
        rows = rows[(pd.to_datetime(rows["due_date"]) - pd.to_datetime(rows["deceased_date"])).dt.days > grace]
    out = []
    for key, grp in rows.groupby("beneficiary_key", sort=True):
        out.append({"rule": "deceased_payment", "region_code": grp["village_code"].iloc[0],
                    "subject_key": key, "amount": round(float(grp["amount"].astype(float).sum()), 2),
                    "score": float(min(100, 60 + 5 * len(grp))),
                    "evidence": {"deceased_date": str(grp["deceased_date"].iloc[0]),
                                 "payment_ids": grp["id"].astype(int).tolist()[:20],
                                 "paid_dates": [str(d) for d in grp["paid_date"].tolist()[:20]],
                                 "payments": len(grp)},
                    "flagged_on": next_monday(grp["paid_date"].iloc[0])})
    return pd.DataFrame(out, columns=CLUE_COLUMNS)


def cadre_relative_benefits(conn, as_of: dt.date, ranges, params: dict) -> pd.DataFrame:
    """Village cadres, or their close relatives, receiving means-tested aid (优亲厚友):
    最低生活保障, 特困供养, 农村危房改造 by default (`programs`)."""
    programs = program_ids(conn, *params["programs"])
    rows = dates(query(conn, f"""
        SELECT r.person_key, r.village_code, COALESCE(c.person_key, r.person_key) AS cadre_key,
               COALESCE(c.official_post, r.official_post) AS post,
               CASE WHEN r.official_post IS NOT NULL THEN 1 ELSE 0 END AS self,
               SUM(p.amount) AS amount, COUNT(*) AS n, MIN(p.paid_date) AS first_paid
        FROM person r LEFT JOIN person c ON c.person_key = r.relative_of AND c.official_post IS NOT NULL
             JOIN fund_payment p ON p.beneficiary_key = r.person_key
        WHERE (r.official_post IS NOT NULL OR c.person_key IS NOT NULL)
          AND p.paid_date IS NOT NULL AND p.paid_date <= :as_of
          AND p.program_id IN ({ids_sql(programs)}){within("r.village_code", ranges)}
        GROUP BY r.person_key, r.village_code, c.person_key, c.official_post, r.official_post
        ORDER BY r.person_key""", as_of=as_of), "first_paid")
    return pd.DataFrame([{
        "rule": "cadre_relative_benefit", "region_code": r.village_code, "subject_key": r.person_key,
        "amount": round(float(r.amount), 2), "score": 90.0 if r.self else 85.0,
        # a relative's evidence is as it always was (a clue's identity); the cadre's own says so
        "evidence": {"cadre_key": r.cadre_key, "post": r.post, "payments": int(r.n), "first_paid": str(r.first_paid),
                     **({"self": True} if r.self else {})},
        "flagged_on": next_monday(r.first_paid)} for r in rows.itertuples()], columns=CLUE_COLUMNS)


def beneficiary_assets(conn, as_of: dt.date, ranges, params: dict) -> pd.DataFrame:
    """低保/特困 beneficiaries registered with a vehicle or commercial property.

    The vehicle and property registries reach the comparison at different times, so the
    flag day is spread over the person's payment period (stable per key).
    """
    # CROSS JOIN: persons first, their payments by index (see deceased_payments)
    programs = program_ids(conn, *params["programs"])
    rows = dates(query(conn, f"""
        SELECT r.person_key, r.village_code, r.has_vehicle, r.has_property,
               SUM(p.amount) AS amount, COUNT(*) AS n, MIN(p.paid_date) AS first_paid,
               MAX(p.paid_date) AS last_paid
        FROM person r CROSS JOIN fund_payment p
        WHERE p.beneficiary_key = r.person_key AND (r.has_vehicle = :yes OR r.has_property = :yes)
          AND p.paid_date IS NOT NULL
          AND p.paid_date <= :as_of
          AND p.program_id IN ({ids_sql(programs)}){within("r.village_code", ranges)}
        GROUP BY r.person_key, r.village_code, r.has_vehicle, r.has_property
        ORDER BY r.person_key""", as_of=as_of, yes=True), "first_paid", "last_paid")
    out = []
    for r in rows.itertuples():
        span = max((r.last_paid - r.first_paid).days, 1)
        seen = r.first_paid + dt.timedelta(days=_spread(r.person_key) % span)
        out.append({"rule": "beneficiary_assets", "region_code": r.village_code,
                    "subject_key": r.person_key, "amount": round(float(r.amount), 2),
                    "score": 60.0 + 15 * bool(r.has_vehicle) + 15 * bool(r.has_property),
                    "evidence": {"has_vehicle": bool(r.has_vehicle), "has_property": bool(r.has_property),
                                 "payments": int(r.n), "first_paid": str(r.first_paid)},
                    "flagged_on": next_monday(seen)})
    return pd.DataFrame(out, columns=CLUE_COLUMNS)


def _spread(key: str) -> int:
    """A stable number of a person key: its last six hex digits (the demo's keys), else a
    hash of the key (a county's own keys are any text)."""
    try:
        return int(key[-6:], 16)
    except ValueError:
        return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:6], 16)


def split_expenses(conn, as_of: dt.date, ranges, params: dict) -> pd.DataFrame:
    """Several expenses to one counterparty within days, each just under the threshold (拆分支付)."""
    threshold, low = float(params["threshold"]), float(params["low"])
    min_entries, max_gap = int(params["min_entries"]), int(params["max_gap_days"])
    rows = dates(query(conn, f"""
        SELECT id, village_code, entry_date, amount, counterparty FROM village_ledger
        WHERE direction = 'expense' AND amount >= :low AND amount < :high AND entry_date <= :as_of
          {within("village_code", ranges)}
        ORDER BY village_code, counterparty, entry_date, id""",
        low=low, high=threshold, as_of=as_of), "entry_date")
    if rows.empty:
        return pd.DataFrame(columns=CLUE_COLUMNS)
    day = pd.to_datetime(rows["entry_date"])
    same = (rows["village_code"] == rows["village_code"].shift()) & (rows["counterparty"] == rows["counterparty"].shift())
    new_cluster = ~same | ((day - day.shift()).dt.days > max_gap)
    rows["cluster"] = np.cumsum(new_cluster.to_numpy())
    sizes = rows.groupby("cluster")["cluster"].transform("size")
    out = []  # only the few clusters big enough: a Python loop over every entry is slow
    for _, grp in rows[sizes.to_numpy() >= min_entries].groupby("cluster", sort=True):
        out.append({"rule": "split_expense", "region_code": grp["village_code"].iloc[0],
                    "subject_key": grp["counterparty"].iloc[0][:32],
                    "amount": round(float(grp["amount"].astype(float).sum()), 2),
                    "score": float(min(100, 70 + 5 * (len(grp) - min_entries))),
                    "evidence": {"ledger_ids": grp["id"].astype(int).tolist(),
                                 "amounts": [round(float(a), 2) for a in grp["amount"]],
                                 "dates": [str(d) for d in grp["entry_date"]],
                                 "threshold": threshold},
                    "flagged_on": next_monday(grp["entry_date"].iloc[-1])})
    return pd.DataFrame(out, columns=CLUE_COLUMNS)


def duplicate_payments(conn, as_of: dt.date, ranges, params: dict) -> pd.DataFrame:
    """The same beneficiary paid twice for the same programme and due date (重复发放)."""
    # a beneficiary paid in the ranges, wherever the second payment was made
    mine = "" if ranges is None else (" AND beneficiary_key IN (SELECT beneficiary_key FROM fund_payment WHERE 1 = 1"
                                      + within("village_code", ranges) + ")")
    rows = dates(query(conn, f"""
        SELECT p.id, p.beneficiary_key, p.program_id, p.village_code, p.amount, p.due_date, p.paid_date
        FROM fund_payment p JOIN (
            SELECT beneficiary_key, program_id, due_date FROM fund_payment
            WHERE paid_date IS NOT NULL AND paid_date <= :as_of{mine}
            GROUP BY beneficiary_key, program_id, due_date HAVING COUNT(*) > 1) d
          ON d.beneficiary_key = p.beneficiary_key AND d.program_id = p.program_id
             AND d.due_date = p.due_date
        WHERE p.paid_date IS NOT NULL AND p.paid_date <= :as_of
        ORDER BY p.beneficiary_key, p.program_id, p.due_date, p.id""", as_of=as_of),
        "due_date", "paid_date")
    if rows.empty:
        return pd.DataFrame(columns=CLUE_COLUMNS)
    rows["amount"] = rows["amount"].astype(float)
    rows["paid"] = rows["paid_date"].astype(str)
    # one vectorised pass over the groups: a Python loop costs ~0.4 ms a group
    groups = rows.groupby(["beneficiary_key", "program_id", "due_date"], sort=True)
    found = groups.agg(region_code=("village_code", "first"), total=("amount", "sum"), first=("amount", "first"),
                       payment_ids=("id", list), paid_dates=("paid", list), last_paid=("paid_date", "max"))
    found = found.reset_index()
    return pd.DataFrame({
        "rule": "duplicate_payment", "region_code": found["region_code"], "subject_key": found["beneficiary_key"],
        "amount": (found["total"] - found["first"]).round(2), "score": 90.0,
        "evidence": [{"program_id": int(pid), "due_date": str(due), "payment_ids": [int(i) for i in ids],
                      "paid_dates": paid} for pid, due, ids, paid in
                     zip(found["program_id"], found["due_date"], found["payment_ids"], found["paid_dates"])],
        "flagged_on": [next_monday(d) for d in found["last_paid"]]}, columns=CLUE_COLUMNS)


def payments_above_standard(conn, as_of: dt.date, ranges, params: dict) -> pd.DataFrame:
    """A payment above its programme's per-person standard (超标准发放), for programmes paid
    at a fixed standard; `tolerance` is the share above it let pass."""
    programs = program_ids(conn, *params["programs"])
    rows = dates(query(conn, f"""
        SELECT p.id, p.beneficiary_key, p.village_code, p.amount, p.due_date, p.paid_date, p.program_id,
               g.per_person_standard AS standard
        FROM fund_payment p JOIN fund_program g ON g.id = p.program_id
        WHERE p.program_id IN ({ids_sql(programs)}) AND g.per_person_standard > 0
          AND p.amount > g.per_person_standard * :factor AND p.paid_date IS NOT NULL
          AND p.paid_date <= :as_of{within("p.village_code", ranges)}
        ORDER BY p.id""", factor=1 + float(params["tolerance"]), as_of=as_of), "due_date", "paid_date")
    amount, standard = rows["amount"].astype(float), rows["standard"].astype(float)
    return pd.DataFrame({
        "rule": "payment_above_standard", "region_code": rows["village_code"], "subject_key": rows["beneficiary_key"],
        "amount": (amount - standard).round(2),
        "score": [float(min(100, 60 + 20 * (a / s - 1))) for a, s in zip(amount, standard)],
        "evidence": [{"payment_ids": [int(i)], "program_id": int(g), "standard": round(s, 2), "paid": round(a, 2),
                      "due_date": str(d)}
                     for i, g, s, a, d in zip(rows["id"], rows["program_id"], standard, amount, rows["due_date"])],
        "flagged_on": [next_monday(d) for d in rows["paid_date"]]}, columns=CLUE_COLUMNS)


def round_amounts(conn, as_of: dt.date, ranges, params: dict) -> pd.DataFrame:
    """An unusual share of round amounts among a village's expenses (整数金额占比异常): over the
    last `window_months` whole months, at least `min_sample` expenses of which a share of
    `min_share` or more are whole multiples of `unit` yuan, and a one-sided exact binomial
    test against `expected_share` gives p below `alpha` (the test and p stated in the evidence)."""
    unit, window = int(params["unit"]), int(params["window_months"])
    last = last_seen_month(as_of)
    first_day = dt.date((f := month_key(last - window + 1)) // 100, f % 100, 1)
    rows = query(conn, f"""
        SELECT village_code, COUNT(*) AS n,
               SUM(CASE WHEN amount = ROUND(amount, 0) AND CAST(amount AS INTEGER) % {unit} = 0 THEN 1 ELSE 0 END)
                 AS round_n
        FROM village_ledger
        WHERE direction = 'expense' AND entry_date BETWEEN :first AND :last{within("village_code", ranges)}
        GROUP BY village_code""", first=first_day, last=month_end(last))
    rows = rows[rows["n"] >= int(params["min_sample"])]
    rows = rows.assign(share=rows["round_n"] / rows["n"])  # before filtering: assigning to an empty frame adds rows
    rows = rows[rows["share"] >= float(params["min_share"])]
    p_values = [binomial_tail(int(k), int(n), float(params["expected_share"])) for k, n in zip(rows["round_n"], rows["n"])]
    rows = rows.assign(p=p_values)
    rows = rows[rows["p"] < float(params["alpha"])]
    return pd.DataFrame({
        "rule": "round_amounts", "region_code": rows["village_code"], "subject_key": rows["village_code"],
        "amount": 0.0, "score": [float(min(100, 60 + 40 * s)) for s in rows["share"]],
        "evidence": [{"expenses": int(n), "round": int(k), "share": round(float(s), 4), "unit": unit,
                      "test": "one-sided exact binomial", "expected_share": float(params["expected_share"]),
                      "p_value": float(f"{p:.3g}"), "from_month": month_key(last - window + 1),
                      "to_month": month_key(last)}
                     for n, k, s, p in zip(rows["n"], rows["round_n"], rows["share"], rows["p"])],
        "flagged_on": next_monday(month_end(last))}, columns=CLUE_COLUMNS)


def binomial_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), exactly (log-space sum of the terms)."""
    if k <= 0:
        return 1.0
    if p <= 0:
        return 0.0
    terms = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * math.log(p)
             + (n - i) * math.log1p(-p) for i in range(k, n + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def category_jumps(conn, as_of: dt.date, ranges, params: dict) -> pd.DataFrame:
    """An expense category of a village jumping against its own history (支出异常增长): the
    monthly mean of the last `window_months` at least `ratio` times that of the
    `history_months` before, and more than `min_increase` yuan above it over the window."""
    window, history = int(params["window_months"]), int(params["history_months"])
    ratio, min_increase = float(params["ratio"]), float(params["min_increase"])
    skip = [str(c) for c in params["skip_categories"]]
    last = last_seen_month(as_of)
    first = month_key(last - window - history + 1)
    rows = query(conn, f"""
        SELECT x.village_code, x.category, k.month_key, SUM(x.amount) AS amount
        FROM village_ledger x JOIN calendar_day k ON k.day = x.entry_date
        WHERE x.direction = 'expense' AND x.entry_date BETWEEN :first AND :last{within("x.village_code", ranges)}
        GROUP BY x.village_code, x.category, k.month_key""",
        first=dt.date(first // 100, first % 100, 1), last=month_end(last))
    if rows.empty:
        return pd.DataFrame(columns=CLUE_COLUMNS)
    month = rows["month_key"].astype("int64")
    rows = rows.assign(m=(month // 100) * 12 + month % 100 - 1,  # _month_index, vectorised (millions of rows)
                       amount=rows["amount"].astype(float))
    rows = rows[~rows["category"].isin(skip)]
    recent = rows[(rows["m"] > last - window) & (rows["m"] <= last)]
    past = rows[(rows["m"] > last - window - history) & (rows["m"] <= last - window)]
    keys = ["village_code", "category"]
    now = recent.groupby(keys)["amount"].sum() / window
    before = past.groupby(keys)["amount"].sum() / history
    months_known = past.groupby(keys)["m"].nunique()
    table = pd.concat({"now": now, "before": before, "known": months_known}, axis=1).fillna(0.0)
    table = table[(table["known"] >= history // 2) & (table["now"] >= ratio * table["before"])
                  & ((table["now"] - table["before"]) * window > min_increase)].reset_index()
    first_month = month_key(last - window + 1)
    return pd.DataFrame({
        "rule": "category_jump", "region_code": table["village_code"], "subject_key": table["category"],
        "amount": ((table["now"] - table["before"]) * window).round(2),
        "score": [float(min(100, 60 + 10 * (n / b if b else ratio * 2))) for n, b in zip(table["now"], table["before"])],
        "evidence": [{"category": c, "monthly_recent": round(n, 2), "monthly_before": round(b, 2),
                      "window_months": window, "history_months": history, "from_month": first_month,
                      "to_month": month_key(last)}
                     for c, n, b in zip(table["category"], table["now"], table["before"])],
        "flagged_on": next_monday(month_end(last))}, columns=CLUE_COLUMNS)


RULES = {"deceased_payment": deceased_payments, "cadre_relative_benefit": cadre_relative_benefits,
         "beneficiary_assets": beneficiary_assets, "split_expense": split_expenses,
         "duplicate_payment": duplicate_payments, "category_jump": category_jumps,
         "payment_above_standard": payments_above_standard, "round_amounts": round_amounts,
         "benford_first_digit": benford_first_digit, "spending_disclosure_overdue": spending_disclosure_overdue,
         "payment_overdue": payment_overdue}


def store_clues(conn, clues: pd.DataFrame, events: pd.DataFrame | None = None) -> int:
    """Insert clues (status 'flagged' unless given) and their events; returns the count.

    For runs outside the demo: each new clue gets one 'flagged' event on flagged_on.
    """
    if clues.empty:
        return 0
    rows = clues.assign(status=clues.get("status", "flagged"))
    records = rows.drop(columns=[c for c in rows if c not in Clue.__table__.c]).to_dict("records")
    conn.execute(insert(Clue.__table__), records)
    if events is None:
        ids = [r[0] for r in conn.execute(text(
            "SELECT id FROM clue ORDER BY id DESC LIMIT :n"), {"n": len(records)}).fetchall()]
        events = pd.DataFrame({"clue_id": sorted(ids), "at": rows["flagged_on"].to_numpy(),
                               "status": "flagged", "note": ""})
    conn.execute(insert(ClueEvent.__table__), events.to_dict("records"))
    return len(records)


def evidence_json(evidence: dict) -> str:
    """Evidence as JSON text (bulk loads bypass SQLAlchemy's JSON type)."""
    return json.dumps(evidence, ensure_ascii=False, sort_keys=True)
