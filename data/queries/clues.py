"""Problem clues for the commission's page (/clues): the funnel by county and by rule, the
deadline counts, the handler units, and one clue's card with its evidence side by side.

Scope is applied in SQL (data.scope.scope_condition on the clue's region): a clue outside
the user's jurisdiction is not counted and its card is None. The card reads the records
its evidence names, by their keys, and only their pseudonymous columns: a beneficiary is
a person key, never a name (beneficiary_identity is not read here), and a complaint of the
same place is its case number, category, dates and status, never its complainant.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import case, func, select, true

from data.calendar import add_working_days
from data.codes import ancestor_at, code_range, level_of
from data.model.schema import (
    Clue,
    ClueEvent,
    Complaint,
    DatasetInfo,
    Disclosure,
    FundPayment,
    FundProgram,
    Person,
    Region,
    VillageLedger,
    Warning,
)
from data.rules.evidence import PERSON_SUBJECTS
from data.rules.library import Library
from data.rules.workflow import MOVES, OPEN_STEPS, STATUSES, proposed_handler
from data.scope import Scope, scope_condition

DEADLINE_STATES = ("ok", "near", "overdue")
CARD_ROWS = 20  # records listed per side of the card (the evidence counts them all)
_clue = Clue.__table__


def workflow_today(conn) -> dt.date:
    """The day deadlines are judged on and moves are dated: the demo's as-of date for the
    generated demo (its clues stop there), else today."""
    info = dict(conn.execute(select(DatasetInfo.key, DatasetInfo.value)
                             .where(DatasetInfo.key.in_(("scale", "as_of")))).all())
    if info.get("scale") and info.get("as_of"):
        return dt.date.fromisoformat(info["as_of"])
    return dt.date.today()


def near_until(today: dt.date, near_days: int) -> dt.date:
    """The last due day that is near (临期) today: the day before the (near_days + 1)-th
    working day after today, so a due date counts as near exactly when at most near_days
    working days are left (data.rules.workflow.deadline_state, in one SQL comparison)."""
    return add_working_days(today, near_days + 1) - dt.timedelta(days=1)


def deadline_expr(today: dt.date, near_days: int):
    """SQL 'overdue' | 'near' | 'ok' of a clue (decided clues: 'ok')."""
    return case((_clue.c.status.not_in(OPEN_STEPS) | _clue.c.due_on.is_(None), "ok"),
                (_clue.c.due_on < today, "overdue"),
                (_clue.c.due_on <= near_until(today, near_days), "near"), else_="ok")


@dataclass(frozen=True)
class ClueFilter:
    """What the page's controls narrow the clues to (all None: every clue in scope)."""
    region: str | None = None
    rule: str | None = None
    status: str | None = None
    deadline: str | None = None  # near | overdue
    handler: str | None = None  # a region code, or "none" for not assigned yet
    min_score: float | None = None
    flagged_until: dt.date | None = None

    def where(self, scope: Scope, today: dt.date, near_days: int) -> list:
        """SQL conditions: the scope, then each filter that is set."""
        conds = [scope_condition(_clue.c.region_code, scope)]
        if self.region:
            conds.append(_clue.c.region_code.between(*code_range(self.region)))
        if self.rule:
            conds.append(_clue.c.rule == self.rule)
        if self.status in STATUSES:
            conds.append(_clue.c.status == self.status)
        if self.deadline in ("near", "overdue"):
            conds.append(deadline_expr(today, near_days) == self.deadline)
        if self.handler == "none":
            conds.append(_clue.c.handler_code.is_(None))
        elif self.handler:
            conds.append(_clue.c.handler_code == self.handler)
        if self.min_score is not None:
            conds.append(_clue.c.score >= float(self.min_score))
        if self.flagged_until:
            conds.append(_clue.c.flagged_on <= self.flagged_until)
        return conds


def status_counts(conn, scope: Scope, filters: ClueFilter = ClueFilter(), *, today: dt.date | None = None,
                  near_days: int = 3) -> pd.DataFrame:
    """The status table: status, clues, amount (every status, in workflow order)."""
    today = today or workflow_today(conn)
    rows = conn.execute(select(_clue.c.status, func.count(), func.coalesce(func.sum(_clue.c.amount), 0))
                        .where(*filters.where(scope, today, near_days)).group_by(_clue.c.status)).all()
    found = {s: (int(n), float(a)) for s, n, a in rows}
    return pd.DataFrame([{"status": s, "clues": found.get(s, (0, 0.0))[0], "amount": found.get(s, (0, 0.0))[1]}
                         for s in STATUSES])


def funnel(conn, scope: Scope, by: str, filters: ClueFilter = ClueFilter(), *, today: dt.date | None = None,
           near_days: int = 3) -> pd.DataFrame:
    """Clues and amounts per (county | rule) and status: key, status, clues, amount; the
    county key is the county of the clue's region (named by `region_names`)."""
    today = today or workflow_today(conn)
    key = func.substr(_clue.c.region_code, 1, 6) if by == "county" else _clue.c.rule
    rows = conn.execute(select(key.label("key"), _clue.c.status, func.count(),
                               func.coalesce(func.sum(_clue.c.amount), 0))
                        .where(*filters.where(scope, today, near_days))
                        .group_by(key, _clue.c.status).order_by(key)).all()
    frame = pd.DataFrame(rows, columns=["key", "status", "clues", "amount"])
    if by == "county":
        frame["key"] = frame["key"].astype(str).str.ljust(12, "0")
    frame["amount"] = frame["amount"].astype(float)
    return frame


def deadline_counts(conn, scope: Scope, library: Library, *, region: str | None = None,
                    today: dt.date | None = None) -> dict[str, int]:
    """Open clues near (临期) and past (超期) their deadline: {"open", "near", "overdue"}."""
    today = today or workflow_today(conn)
    state = deadline_expr(today, library.near_days)
    conds = ClueFilter(region=region).where(scope, today, library.near_days)
    rows = conn.execute(select(state, func.count()).where(*conds, _clue.c.status.in_(OPEN_STEPS))
                        .group_by(state)).all()
    counts = {s: int(n) for s, n in rows}
    return {"open": sum(counts.values()), "near": counts.get("near", 0), "overdue": counts.get("overdue", 0)}


def region_names(conn, codes) -> dict[str, str]:
    codes = sorted({c for c in codes if c})
    if not codes:
        return {}
    return dict(conn.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all())


def handler_options(conn, scope: Scope, region: str | None = None) -> pd.DataFrame:
    """The units that may handle clues in the scope: the commissions of its counties and
    townships (code, name, level), counties first."""
    conds = [scope_condition(Region.code, scope), Region.level.in_(("county", "township"))]
    if region:
        conds.append(Region.code.between(*code_range(region)))
    rows = conn.execute(select(Region.code, Region.name, Region.level).where(*conds)
                        .order_by(case((Region.level == "county", 0), else_=1), Region.code)).all()
    return pd.DataFrame(rows, columns=["code", "name", "level"])


# --- the clue card -----------------------------------------------------------------------

@dataclass
class ClueCard:
    """Everything the card shows of one clue (pseudonymous keys only)."""
    clue: dict
    region: dict                       # code, name, township, county names
    proposed_handler: str
    handler_name: str | None
    deadline: str                      # ok | near | overdue
    moves: tuple[str, ...]
    payments: pd.DataFrame             # the money side: payments ...
    vouchers: pd.DataFrame             # ... or ledger vouchers
    persons: pd.DataFrame              # the registry side: persons (subject, cadre)
    programs: pd.DataFrame             # ... the programmes' standards
    disclosures: pd.DataFrame          # ... the disclosure items
    facts: dict                        # the evidence's other values (the test, its p-value ...)
    history: pd.DataFrame
    complaints: pd.DataFrame           # the same village's complaints, newest first
    warnings: pd.DataFrame             # the same village's and township's warnings
    counts: dict = field(default_factory=dict)  # complaints / warnings of the place in all


LISTED_KEYS = ("payment_ids", "ledger_ids", "paid_dates", "cadre_key", "program_id", "disclosure_ids", "item_nos",
               "voucher_nos", "payment_nos")


def clue_card(conn, scope: Scope, clue_id: int, library: Library, *, today: dt.date | None = None
              ) -> ClueCard | None:
    """The card of clue `clue_id`, or None when there is none in the user's scope."""
    today = today or workflow_today(conn)
    state = deadline_expr(today, library.near_days)
    row = conn.execute(select(_clue, state.label("deadline")).where(
        _clue.c.id == int(clue_id), scope_condition(_clue.c.region_code, scope))).mappings().first()
    if row is None:
        return None
    clue = dict(row)
    evidence = clue["evidence"] if isinstance(clue["evidence"], dict) else {}
    code = clue["region_code"]
    place = [code] + [ancestor_at(code, lv) for lv in ("township", "county") if _below(code, lv)]
    names = region_names(conn, [*place, clue["handler_code"]])
    proposed = proposed_handler(code, clue["rule"], evidence)
    names.update(region_names(conn, [proposed]))
    payments = _payments(conn, clue, evidence, library)
    program_ids = sorted({int(p) for p in payments.get("program_id", [])} |
                         ({int(evidence["program_id"])} if str(evidence.get("program_id", "")).isdigit() else set()))
    complaints, n_complaints = _place_complaints(conn, code)
    warnings, n_warnings = _place_warnings(conn, place)
    return ClueCard(
        clue=clue, region={"code": code, "name": names.get(code, code),
                           "path": [names.get(c, c) for c in reversed(place[1:])]},
        proposed_handler=proposed, handler_name=names.get(clue["handler_code"] or ""),
        deadline=clue["deadline"], moves=MOVES.get(clue["status"], ()),
        payments=payments, vouchers=_vouchers(conn, evidence), persons=_persons(conn, clue, evidence),
        programs=_programs(conn, program_ids), disclosures=_disclosures(conn, code, evidence),
        facts={k: v for k, v in evidence.items() if k not in LISTED_KEYS},
        history=_history(conn, clue_id), complaints=complaints, warnings=warnings,
        counts={"complaints": n_complaints, "warnings": n_warnings,
                "payments": int(evidence.get("payments", len(payments))),
                # a rule that lists vouchers counts all it found ("expenses"); statistical rules list none
                "vouchers": int(evidence.get("expenses", 0)) if evidence.get("ledger_ids") else 0})


def _below(code: str, level: str) -> bool:
    order = ("province", "city", "county", "township", "village")
    return order.index(level_of(code)) > order.index(level)


def _payments(conn, clue: dict, evidence: dict, library: Library) -> pd.DataFrame:
    """The payments the evidence names; for a person's clue that names none (a cadre's
    relative on 低保), the subject's payments in the rule's programmes."""
    p, g = FundPayment.__table__, FundProgram.__table__
    cols = [p.c.payment_no, p.c.program_id, g.c.name.label("program"), p.c.period, p.c.due_date, p.c.paid_date,
            p.c.amount, p.c.beneficiary_key, p.c.village_code]
    stmt = select(*cols).join(g, g.c.id == p.c.program_id)
    ids = [int(i) for i in evidence.get("payment_ids", [])][:CARD_ROWS]
    if ids:
        stmt = stmt.where(p.c.id.in_(ids))
    elif clue["rule"] in PERSON_SUBJECTS:
        programs = library.rule(clue["rule"]).params.get("programs") if clue["rule"] in {
            r.code for r in library.rules} else None
        stmt = stmt.where(p.c.beneficiary_key == clue["subject_key"],
                          g.c.code.in_(programs) if programs else true())
    else:
        return pd.DataFrame(columns=[c.name for c in cols])
    rows = conn.execute(stmt.order_by(p.c.due_date, p.c.payment_no).limit(CARD_ROWS)).all()
    frame = pd.DataFrame(rows, columns=[c.name for c in cols])
    frame["amount"] = frame["amount"].astype(float)
    return frame


def _vouchers(conn, evidence: dict) -> pd.DataFrame:
    v = VillageLedger.__table__
    cols = [v.c.voucher_no, v.c.entry_date, v.c.category, v.c.counterparty, v.c.amount, v.c.summary]
    ids = [int(i) for i in evidence.get("ledger_ids", [])][:CARD_ROWS]
    if not ids:
        return pd.DataFrame(columns=[c.name for c in cols])
    rows = conn.execute(select(*cols).where(v.c.id.in_(ids)).order_by(v.c.entry_date, v.c.voucher_no)).all()
    frame = pd.DataFrame(rows, columns=[c.name for c in cols])
    frame["amount"] = frame["amount"].astype(float)
    return frame


def _persons(conn, clue: dict, evidence: dict) -> pd.DataFrame:
    """The registry's rows of the subject and of the cadre the evidence names (no identity:
    the registry holds none)."""
    keys = ([clue["subject_key"]] if clue["rule"] in PERSON_SUBJECTS else []) + (
        [evidence["cadre_key"]] if evidence.get("cadre_key") and evidence["cadre_key"] != clue["subject_key"] else [])
    r = Person.__table__
    cols = [r.c.person_key, r.c.village_code, r.c.deceased_date, r.c.official_post, r.c.relative_of, r.c.relation,
            r.c.has_vehicle, r.c.has_property]
    if not keys:
        return pd.DataFrame(columns=[c.name for c in cols])
    rows = {row.person_key: row for row in conn.execute(select(*cols).where(r.c.person_key.in_(keys)))}
    return pd.DataFrame([tuple(rows[k]) for k in keys if k in rows], columns=[c.name for c in cols])


def _programs(conn, ids: list[int]) -> pd.DataFrame:
    g = FundProgram.__table__
    cols = [g.c.id, g.c.code, g.c.name, g.c.per_person_standard, g.c.payment_cycle]
    if not ids:
        return pd.DataFrame(columns=[c.name for c in cols])
    frame = pd.DataFrame(conn.execute(select(*cols).where(g.c.id.in_(ids)).order_by(g.c.id)).all(),
                         columns=[c.name for c in cols])
    frame["per_person_standard"] = frame["per_person_standard"].astype(float)
    return frame


def _disclosures(conn, village: str, evidence: dict) -> pd.DataFrame:
    d = Disclosure.__table__
    cols = [d.c.item_no, d.c.kind, d.c.period, d.c.due_date, d.c.published_date]
    numbers = [str(n) for n in (evidence.get("item_nos") or ([evidence["item_no"]] if evidence.get("item_no")
                                                              else []))][:CARD_ROWS]
    ids = [int(i) for i in evidence.get("disclosure_ids", [])][:CARD_ROWS]
    if not numbers and not ids:
        return pd.DataFrame(columns=[c.name for c in cols])
    cond = d.c.item_no.in_(numbers) if numbers else d.c.id.in_(ids)
    rows = conn.execute(select(*cols).where(cond, d.c.village_code == village).order_by(d.c.due_date)).all()
    return pd.DataFrame(rows, columns=[c.name for c in cols])


def _history(conn, clue_id: int) -> pd.DataFrame:
    e, r = ClueEvent.__table__, Region.__table__
    rows = conn.execute(select(e.c.at, e.c.status, e.c.actor, e.c.handler_code, r.c.name, e.c.note, e.c.recorded_at)
                        .outerjoin(r, r.c.code == e.c.handler_code)
                        .where(e.c.clue_id == int(clue_id)).order_by(e.c.at, e.c.id)).all()
    return pd.DataFrame(rows, columns=["at", "status", "actor", "handler_code", "handler", "note", "recorded_at"])


def _place_complaints(conn, village: str, limit: int = 8) -> tuple[pd.DataFrame, int]:
    """The place's complaints (case number, received, category, status): never who sent them."""
    c = Complaint.__table__
    cols = [c.c.case_no, c.c.received_at, c.c.category, c.c.channel, c.c.closed_at, c.c.status]
    rows = conn.execute(select(*cols).where(c.c.village_code == village)
                        .order_by(c.c.received_at.desc()).limit(limit)).all()
    total = conn.execute(select(func.count()).select_from(c).where(c.c.village_code == village)).scalar() or 0
    return pd.DataFrame(rows, columns=[col.name for col in cols]), int(total)


def _place_warnings(conn, codes: list[str], limit: int = 8) -> tuple[pd.DataFrame, int]:
    """Warnings raised on the clue's village or its township."""
    w = Warning.__table__
    cols = [w.c.id, w.c.warning_no, w.c.level, w.c.source, w.c.title, w.c.raised_on, w.c.closed_on, w.c.region_code]
    where = w.c.region_code.in_(codes[:2])
    rows = conn.execute(select(*cols).where(where).order_by(w.c.raised_on.desc()).limit(limit)).all()
    total = conn.execute(select(func.count()).select_from(w).where(where)).scalar() or 0
    return pd.DataFrame(rows, columns=[col.name for col in cols]), int(total)


def place_oversight(conn, scope: Scope, region: str, library: Library, *, lang: str = "zh-CN",
                    limit: int = 30) -> pd.DataFrame:
    """A region's clues and warnings together, newest first: kind (clue | warning), id, day,
    rule or level, title (the rule's finding or the warning's title), status or state,
    region_code. Only the scope's part of the region."""
    lo, hi = code_range(region)
    findings = {r.code: r.finding(lang) for r in library.rules}
    clues = conn.execute(select(_clue.c.id, _clue.c.flagged_on, _clue.c.rule, _clue.c.status, _clue.c.region_code)
                         .where(_clue.c.region_code.between(lo, hi), scope_condition(_clue.c.region_code, scope))
                         .order_by(_clue.c.flagged_on.desc(), _clue.c.id.desc()).limit(limit)).all()
    w = Warning.__table__
    warnings = conn.execute(select(w.c.id, w.c.raised_on, w.c.level, w.c.title, w.c.closed_on, w.c.task_issued_on,
                                   w.c.verified_on, w.c.region_code)
                            .where(w.c.region_code.between(lo, hi), scope_condition(w.c.region_code, scope))
                            .order_by(w.c.raised_on.desc(), w.c.id.desc()).limit(limit)).all()
    rows = [{"kind": "clue", "id": r.id, "day": r.flagged_on, "what": r.rule, "title": findings.get(r.rule, r.rule),
             "state": r.status, "region_code": r.region_code} for r in clues]
    rows += [{"kind": "warning", "id": r.id, "day": r.raised_on, "what": r.level, "title": r.title,
              "state": "closed" if r.closed_on else "feedback" if r.verified_on else "tasked" if r.task_issued_on
              else "raised", "region_code": r.region_code} for r in warnings]
    frame = pd.DataFrame(rows, columns=["kind", "id", "day", "what", "title", "state", "region_code"])
    return frame.sort_values(["day", "kind", "id"], ascending=False, kind="stable").head(limit).reset_index(drop=True)
