"""How well each rule finds what the demo planted (`cli.py rules eval`): the demo records
every anomaly it plants as a demo_truth row (kind = the rule's code, subject = the key the
rule's clue names: a beneficiary key, a counterparty); a clue matches a planted case when
rule, village and subject agree.

recall = planted cases found / planted cases; precision = clues matching a planted case /
clues. The demo plants few cases among many natural ones (a real vehicle owner on 低保 is
a real hit, not a false one), so precision here is a floor; the commission's measure is the
share of its clues dismissed as false positives (workflow).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select

from data.model.schema import DemoTruth
from data.rules.comparison import run_rules
from data.rules.library import Library

# a rule whose planted cases the demo records under another kind (the outlier rollup's);
# every other rule's are recorded under its own code (benford_first_digit: the village;
# spending_disclosure_overdue: the disclosure's item_no; payment_overdue: "programme:period")
TRUTH_KIND = {"category_jump": "spending_outlier"}
COLUMNS = ["rule", "planted", "found", "clues", "matching", "recall", "precision"]


def evaluate(conn, as_of: dt.date, library: Library) -> pd.DataFrame:
    """One row per rule that is on: planted, found (of the planted), clues, matching
    (clues that are a planted case), recall and precision (None without planted cases)."""
    truth = pd.DataFrame(conn.execute(select(DemoTruth.kind, DemoTruth.region_code, DemoTruth.subject)).all(),
                         columns=["rule", "region_code", "subject"])
    clues = run_rules(conn, as_of, library=library)
    rows = []
    for spec in library.enabled():
        planted = truth[truth["rule"] == TRUTH_KIND.get(spec.code, spec.code)]
        found = clues[clues["rule"] == spec.code]
        cases = set(zip(planted["region_code"], planted["subject"]))
        hits = [(r, s) in cases for r, s in zip(found["region_code"], found["subject_key"])]
        seen = {(r, s) for (r, s), hit in zip(zip(found["region_code"], found["subject_key"]), hits) if hit}
        rows.append({"rule": spec.code, "planted": len(cases), "found": len(seen), "clues": len(found),
                     "matching": int(sum(hits)),
                     "recall": len(seen) / len(cases) if cases else None,
                     "precision": sum(hits) / len(found) if cases and len(found) else None})
    return pd.DataFrame(rows, columns=COLUMNS)
