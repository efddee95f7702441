"""A clue's evidence as the exchange format names its records: the stored evidence holds
row ids (payment_ids, ledger_ids); the commission and the departments know payment_no,
voucher_no and person_key, so `cli.py rules run --json` and the clue card speak those."""
from __future__ import annotations

from sqlalchemy import select

from data.model.schema import FundPayment, VillageLedger

# rules whose subject is a person of the registry (a beneficiary key is a person key)
PERSON_SUBJECTS = ("deceased_payment", "cadre_relative_benefit", "beneficiary_assets", "duplicate_payment",
                   "payment_above_standard")
CHUNK = 900  # ids per IN (): under SQLite's bound-parameter limit


def evidence_keys(conn, clues: list[dict]) -> list[dict[str, list[str]]]:
    """Per clue (rule, subject_key, evidence dict): {"payment_no": [...], "person_key": [...],
    "voucher_no": [...], "item_no": [...]} (only the kinds it has), in the evidence's order."""
    payment_ids = {int(i) for c in clues for i in c["evidence"].get("payment_ids", [])}
    ledger_ids = {int(i) for c in clues for i in c["evidence"].get("ledger_ids", [])}
    payment_no = _numbers(conn, FundPayment.id, FundPayment.payment_no, payment_ids)
    voucher_no = _numbers(conn, VillageLedger.id, VillageLedger.voucher_no, ledger_ids)
    out = []
    for clue in clues:
        evidence, keys = clue["evidence"], {}
        persons = [clue["subject_key"]] if clue["rule"] in PERSON_SUBJECTS else []
        persons += [evidence["cadre_key"]] if evidence.get("cadre_key") else []
        if persons:
            keys["person_key"] = persons
        if evidence.get("payment_ids"):
            keys["payment_no"] = [payment_no.get(int(i), f"#{i}") for i in evidence["payment_ids"]]
        if evidence.get("ledger_ids"):
            keys["voucher_no"] = [voucher_no.get(int(i), f"#{i}") for i in evidence["ledger_ids"]]
        if evidence.get("item_no"):  # a disclosure item (spending_disclosure_overdue)
            keys["item_no"] = [str(evidence["item_no"])]
        out.append(keys)
    return out


def _numbers(conn, id_column, number_column, ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        part = ordered[start:start + CHUNK]
        found.update({i: n for i, n in conn.execute(select(id_column, number_column).where(id_column.in_(part))) if n})
    return found
