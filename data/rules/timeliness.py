"""Rules about things done late: spending while the village's finance disclosure is
overdue (spending_disclosure_overdue), and livelihood payments overdue (payment_overdue).

Both count calendar days. Each clue is fixed once raised (a clue's identity is its rule,
subject and evidence): the evidence holds only what no later week changes, so a rerun
adds nothing and a further month of the same lateness raises no second clue.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import text

from data.rules.base import CLUE_COLUMNS, dates, days_after, next_monday, query, within

LISTED = 20  # records listed in a clue's evidence (all are counted and summed)


def spending_disclosure_overdue(conn, as_of: dt.date, ranges, params: dict) -> pd.DataFrame:
    """A village spending while its finance disclosure (财务公开) of an earlier period is
    overdue by more than `overdue_days` days and not yet published: one clue per village
    and disclosure item, raised the week its spending in that state reaches `min_amount`
    yuan. The evidence is that week's view: the item, its due date, and the expenses from
    the first day past `overdue_days` to the end of that week (before the publication)."""
    overdue, min_amount = int(params["overdue_days"]), float(params["min_amount"])
    rows = dates(query(conn, f"""
        SELECT d.id AS item_id, d.item_no, d.village_code, d.period, d.due_date,
               l.id AS ledger_id, l.entry_date, l.amount
        FROM disclosure d JOIN village_ledger l
          ON l.village_code = d.village_code AND l.entry_date > d.due_date AND l.entry_date <= :as_of
        WHERE d.kind = 'finance' AND d.due_date < :as_of
          AND (d.published_date IS NULL OR {days_after(conn, "d.published_date", "d.due_date")} > :overdue + 1)
          AND l.direction = 'expense' AND {days_after(conn, "l.entry_date", "d.due_date")} > :overdue
          AND (d.published_date IS NULL OR l.entry_date < d.published_date){within("d.village_code", ranges)}
        ORDER BY d.id, l.entry_date, l.id""", as_of=as_of, overdue=overdue), "due_date", "entry_date")
    if rows.empty:
        return pd.DataFrame(columns=CLUE_COLUMNS)
    rows["amount"] = rows["amount"].astype(float)
    spent = rows.groupby("item_id", sort=False)["amount"].cumsum()
    reached = rows[spent.to_numpy() >= min_amount].groupby("item_id", sort=False)["entry_date"].first()
    day = rows["item_id"].map(reached)
    rows = rows[day.notna().to_numpy()].assign(reached=day.dropna())
    reached_on = pd.to_datetime(rows["reached"])
    week_end = reached_on + pd.to_timedelta(6 - reached_on.dt.day_of_week, "D")  # the Sunday the run sees it
    rows = rows[pd.to_datetime(rows["entry_date"]).to_numpy() <= week_end.to_numpy()]
    found = rows.groupby("item_id", sort=True).agg(
        item_no=("item_no", "first"), village=("village_code", "first"), period=("period", "first"),
        due=("due_date", "first"), reached=("reached", "first"), total=("amount", "sum"), n=("amount", "size"),
        ids=("ledger_id", lambda s: [int(i) for i in s[:LISTED]]), first_day=("entry_date", "first"),
        last_day=("entry_date", "last")).reset_index()
    late = [(r - d).days for r, d in zip(found["reached"], found["due"])]
    return pd.DataFrame({
        "rule": "spending_disclosure_overdue", "region_code": found["village"],
        "subject_key": [(no or f"#{i}")[:32] for no, i in zip(found["item_no"], found["item_id"])],
        "amount": found["total"].round(2), "score": [float(min(100, 60 + d / 6)) for d in late],
        "evidence": [{"item_no": no or f"#{i}", "kind": "finance", "period": p, "due_date": str(d),
                      "overdue_days": overdue, "overdue_from": str(d + dt.timedelta(days=overdue + 1)),
                      "days_overdue": days, "expenses": int(n), "total": round(float(t), 2),
                      "ledger_ids": ids, "from_date": str(a), "to_date": str(b)}
                     for no, i, p, d, days, n, t, ids, a, b in zip(
                         found["item_no"], found["item_id"], found["period"], found["due"], late, found["n"],
                         found["total"], found["ids"], found["first_day"], found["last_day"])],
        "flagged_on": [next_monday(r) for r in found["reached"]]}, columns=CLUE_COLUMNS)


def payment_overdue(conn, as_of: dt.date, ranges, params: dict) -> pd.DataFrame:
    """Livelihood payments overdue by more than `overdue_days` calendar days (unpaid, or
    paid later than that after their due date), at least `min_payments` of them and a
    share of `min_share` of the payments due in one village, programme and period (a held
    back period, not a stray failed transfer among a village's hundred farmland subsidies):
    one clue each, judged the week after the period's last due date plus `overdue_days`
    (when every one of its payments is either paid in time or overdue for good)."""
    overdue = int(params["overdue_days"])
    late = dates(query(conn, f"""
        SELECT p.id, p.village_code, p.program_id, p.period, p.amount, p.due_date, p.paid_date
        FROM fund_payment p
        WHERE p.due_date < :cutoff
          AND (p.paid_date IS NULL OR p.paid_date > :as_of OR {days_after(conn, "p.paid_date", "p.due_date")} > :overdue)
          {within("p.village_code", ranges)}
        ORDER BY p.village_code, p.program_id, p.period, p.id""",
        cutoff=as_of - dt.timedelta(days=overdue), as_of=as_of, overdue=overdue), "due_date", "paid_date")
    keys = ["village_code", "program_id", "period"]
    late = late[late.groupby(keys)["id"].transform("size").to_numpy() >= int(params["min_payments"])]
    if late.empty:
        return pd.DataFrame(columns=CLUE_COLUMNS)
    groups = _groups(conn, late, keys).assign(flag=lambda g: [next_monday(d + dt.timedelta(days=overdue))
                                                                for d in g["last_due"]])
    late = late.merge(groups, on=keys)
    late = late[late.groupby(keys)["id"].transform("size") >= float(params["min_share"]) * late["due_payments"]]
    if late.empty:
        return pd.DataFrame(columns=CLUE_COLUMNS)
    late["unpaid"] = late["paid_date"].isna() | (pd.to_datetime(late["paid_date"]) >= pd.to_datetime(late["flag"]))
    found = late.assign(amount=late["amount"].astype(float)).groupby(keys, sort=True).agg(
        n=("id", "size"), total=("amount", "sum"), ids=("id", lambda s: [int(i) for i in s[:LISTED]]),
        unpaid=("unpaid", "sum"), due_from=("due_date", "min"), due_to=("due_date", "max"),
        due_payments=("due_payments", "first"), flag=("flag", "first")).reset_index()
    codes = dict(conn.execute(text("SELECT id, code FROM fund_program")).all())
    program = [codes.get(int(p), str(p)) for p in found["program_id"]]
    share = found["n"] / found["due_payments"]
    return pd.DataFrame({
        "rule": "payment_overdue", "region_code": found["village_code"],
        "subject_key": [f"{c}:{p}"[:32] for c, p in zip(program, found["period"])],
        "amount": found["total"].round(2), "score": [float(min(100, 60 + 40 * s)) for s in share],
        "evidence": [{"program": c, "period": p, "overdue_days": overdue, "days": "calendar", "payments": int(n),
                      "due_payments": int(m), "unpaid_when_flagged": int(u), "total": round(float(t), 2),
                      "payment_ids": ids, "due_from": str(a), "due_to": str(b)}
                     for c, p, n, m, u, t, ids, a, b in zip(
                         program, found["period"], found["n"], found["due_payments"], found["unpaid"],
                         found["total"], found["ids"], found["due_from"], found["due_to"])],
        "flagged_on": found["flag"]}, columns=CLUE_COLUMNS)


def _groups(conn, late: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Every payment of the candidate village-programme-periods: their count and the
    last due date (read by the village index, the candidates' villages only)."""
    villages = sorted(set(late["village_code"]))
    parts = []
    for start in range(0, len(villages), 500):
        chunk = villages[start:start + 500]
        names = {f"v{i}": v for i, v in enumerate(chunk)}
        parts.append(query(conn, f"""
            SELECT village_code, program_id, period, COUNT(*) AS due_payments, MAX(due_date) AS last_due
            FROM fund_payment WHERE village_code IN ({", ".join(":" + k for k in names)})
            GROUP BY village_code, program_id, period""", **names))
    groups = dates(pd.concat(parts, ignore_index=True), "last_due")
    wanted = late[keys].drop_duplicates()
    return groups.merge(wanted, on=keys).astype({"program_id": np.int64})
