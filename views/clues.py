"""What the clues page (/clues) shows, from data.queries.clues and figures.clues; no dash.

`resolve` turns the URL state into the view (region, filters, funnel breakdown, open card);
`summary_view` the tiles; `funnel_view` the funnel figure; `rules_view` each rule with its
hits, its funnel and its precision; `grid_query` the clue list's records query;
`card_view` one clue's card as plain values (components/clue_card.py lays it out).
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from data.codes import InvalidRegionCode, ancestor_at, level_of, normalize_code
from data.model.schema import Clue, Warning
from data.queries import clues as qc
from data.rollups import rebuild_for_townships
from data.rules.library import active_library
from data.rules.warnings import act, overdue_by_unit, overdue_expr, state_expr, warning_history, warning_summary
from data.rules.workflow import DISMISS_REASONS, STATUSES, Move, move_clue, rule_precision
from data.scope import scope_condition
from figures.clues import funnel_figure, overdue_units_figure
from figures.theme import with_export_meta
from i18n import t
from views.complaints import region_options
from views.overview import resolve_defaults

BY_KINDS = ("county", "rule")
DEADLINE_FILTERS = ("near", "overdue")
FILTER_KEYS = ("rule", "status", "deadline", "handler", "score")


def _pick(value, allowed, default=None):
    return value if value in allowed else default


def resolve(engine, scope, state: dict) -> dict:
    """Region (the overview's resolution), the filters that are valid, the breakdown and
    the clue whose card is open; malformed values are dropped, never raised."""
    resolved = resolve_defaults(engine, scope, {"region": state.get("region")})
    with engine.connect() as conn:
        library = active_library(conn)
        today = qc.workflow_today(conn)
    codes = {r.code for r in library.rules}
    try:
        score = max(0.0, min(100.0, float(state["score"]))) if state.get("score") not in (None, "") else None
    except (TypeError, ValueError):
        score = None
    handler = state.get("handler")
    if handler != "none":
        try:
            handler = normalize_code(handler) if handler else None
        except InvalidRegionCode:
            handler = None
    try:
        clue = int(state["clue"]) if state.get("clue") not in (None, "") else None
    except (TypeError, ValueError):
        clue = None
    return {**resolved, "lang": state.get("lang") or "zh-CN", "today": today.isoformat(),
            "near_days": library.near_days,
            "rule": _pick(state.get("rule"), codes), "status": _pick(state.get("status"), STATUSES),
            "deadline": _pick(state.get("deadline"), DEADLINE_FILTERS), "handler": handler, "score": score,
            "by": _pick(state.get("by"), BY_KINDS, "county"), "clue": clue}


def clue_filter(view: dict) -> qc.ClueFilter:
    return qc.ClueFilter(region=view.get("region"), rule=view.get("rule"), status=view.get("status"),
                         deadline=view.get("deadline"), handler=view.get("handler"), min_score=view.get("score"))


def rule_label(code: str, lang: str) -> str:
    return t(f"clue_rule.{code}", lang)


def handler_label(code: str | None, name: str | None, lang: str) -> str:
    """'永兴县纪委监委' / '太和镇纪委' (a county's or township's discipline body)."""
    if not code:
        return t("clues.handler.none", lang)
    level = "county" if code[6:] == "000000" else "township"
    return t(f"clues.handler.{level}", lang, name=name or code)


def picker_options(engine, scope, view: dict) -> dict:
    """Options of the region, rule, status, deadline and handler pickers."""
    lang = view["lang"]
    with engine.connect() as conn:
        library = active_library(conn)
        units = qc.handler_options(conn, scope, view.get("region"))
    return {
        "regions": region_options(engine, scope, view.get("root"), view.get("region"), lang),
        "rules": [{"label": rule_label(r.code, lang), "value": r.code} for r in library.rules],
        "statuses": [{"label": t(f"clue_status.{s}", lang), "value": s} for s in STATUSES],
        "deadlines": [{"label": t(f"clues.deadline.{s}", lang), "value": s} for s in DEADLINE_FILTERS],
        "handlers": [{"label": t("clues.handler.none", lang), "value": "none"}] + [
            {"label": handler_label(c, n, lang), "value": c} for c, n in zip(units["code"], units["name"])],
    }


def summary_view(engine, scope, view: dict) -> dict:
    """The tiles: clues, open, near, overdue, amount involved, precision of decided clues."""
    with engine.connect() as conn:
        library = active_library(conn)
        table = qc.status_counts(conn, scope, clue_filter(view), near_days=library.near_days)
        due = qc.deadline_counts(conn, scope, library, region=view.get("region"))
        precision = rule_precision(conn, scope)
    decided = int(precision["decided"].sum())
    false_pos = int(precision["false_positives"].sum())
    open_clues = int(table.loc[table["status"].isin(("flagged", "verifying", "verified")), "clues"].sum())
    return {"clues": int(table["clues"].sum()), "amount": float(table["amount"].sum()), "open": open_clues,
            "near": due["near"], "overdue": due["overdue"],
            "precision": (decided - false_pos) / decided if decided else None, "decided": decided}


def funnel_view(engine, scope, view: dict):
    """The funnel: clues per status, stacked by county or by rule, with the amounts."""
    lang, by = view["lang"], view["by"]
    with engine.connect() as conn:
        frame = qc.funnel(conn, scope, by, clue_filter(view))
        names = qc.region_names(conn, frame["key"]) if by == "county" else {}
    labels = {k: (names.get(k, k) if by == "county" else rule_label(k, lang)) for k in frame["key"].unique()}
    fig = funnel_figure(frame, labels, STATUSES, lang=lang)
    return with_export_meta(fig, title=t("clues.funnel.title", lang), region=view.get("region_name") or "",
                            period=t("clues.funnel.period", lang, date=view.get("as_of") or ""),
                            as_of=view.get("as_of"))


def rules_view(engine, scope, view: dict) -> list[dict]:
    """Each rule of the library: name, severity, on, its thresholds, hits per status, amount,
    decided, false positives and precision (what the commission tunes thresholds by)."""
    lang = view["lang"]
    with engine.connect() as conn:
        library = active_library(conn)
        frame = qc.funnel(conn, scope, "rule", qc.ClueFilter(region=view.get("region")))
        precision = rule_precision(conn, scope).set_index("rule")
    rows = []
    for spec in library.rules:
        part = frame[frame["key"] == spec.code]
        by_status = dict(zip(part["status"], part["clues"].astype(int)))
        stats = precision.loc[spec.code] if spec.code in precision.index else None
        rows.append({"code": spec.code, "name": rule_label(spec.code, lang), "finding": spec.finding(lang),
                     "severity": spec.severity, "on": spec.on, "params": params_text(spec.params),
                     "hits": int(part["clues"].sum()), "amount": float(part["amount"].sum()),
                     **{s: by_status.get(s, 0) for s in STATUSES},
                     "decided": 0 if stats is None else int(stats["decided"]),
                     "false_positives": 0 if stats is None else int(stats["false_positives"]),
                     "precision": None if stats is None or pd.isna(stats["precision"]) else float(stats["precision"])})
    return rows


def params_text(params: dict) -> str:
    """'grace_days = 0 · programs = dibao, tekun': the thresholds as the rule file names them."""
    def one(value):
        return ", ".join(map(str, value)) if isinstance(value, list) else f"{value:g}" if isinstance(
            value, float) else str(value)
    return " · ".join(f"{k} = {one(v)}" for k, v in params.items()) or "—"


def grid_query(view: dict) -> dict:
    """The records query of the clue list (data/records/clues.py, server-side paging)."""
    params = {"region": view.get("region"), "near_days": view.get("near_days", 3), "lang": view["lang"]}
    params.update({k: view[k] for k in ("rule", "status", "deadline", "handler") if view.get(k)})
    if view.get("score") is not None:
        params["min_score"] = view["score"]
    return {"source": "clue_list", "params": params, "lang": view["lang"]}


def card_view(engine, scope, clue_id: int, lang: str) -> dict | None:
    """The card's content as plain values, or None for a clue not in the user's scope."""
    with engine.connect() as conn:
        library = active_library(conn)
        card = qc.clue_card(conn, scope, clue_id, library)
    if card is None:
        return None
    clue, rule = card.clue, card.clue["rule"]
    spec = next((r for r in library.rules if r.code == rule), None)
    return {
        "id": clue["id"], "rule": rule, "rule_name": rule_label(rule, lang),
        "finding": spec.finding(lang) if spec else rule_label(rule, lang),
        "params": params_text(spec.params) if spec else "—", "severity": spec.severity if spec else "",
        "status": clue["status"], "dismiss_reason": clue.get("dismiss_reason"),
        "subject_key": clue["subject_key"], "amount": float(clue["amount"] or 0), "score": float(clue["score"] or 0),
        "flagged_on": str(clue["flagged_on"]), "due_on": str(clue["due_on"]) if clue.get("due_on") else None,
        "deadline": card.deadline, "region": card.region,
        "handler": clue.get("handler_code"), "handler_label": handler_label(clue.get("handler_code"),
                                                                             card.handler_name, lang),
        "proposed_handler": card.proposed_handler, "moves": list(card.moves), "dismiss_reasons": list(DISMISS_REASONS),
        "payments": card.payments, "vouchers": card.vouchers, "persons": card.persons, "programs": card.programs,
        "disclosures": card.disclosures, "facts": card.facts, "history": card.history,
        "complaints": card.complaints, "warnings": card.warnings, "counts": card.counts,
    }


def apply_move(engine, scope, move: Move, *, actor: str) -> dict:
    """One workflow move in one transaction: the clue, its event and audit row
    (data.rules.workflow.move_clue), then its township's clue rollup (the overview's
    verified and filed counts follow); WorkflowRefused leaves everything as it was."""
    with engine.begin() as conn:
        moved = move_clue(conn, move, actor=actor, scope=scope, today=qc.workflow_today(conn),
                          library=active_library(conn))
        region = conn.execute(select(Clue.region_code).where(Clue.id == move.clue_id)).scalar_one()
        if level_of(region) == "village":
            rebuild_for_townships(conn, {ancestor_at(region, "township")}, tables={"clue"})
    return moved


# --- risk warnings -----------------------------------------------------------------------

def warnings_view(engine, scope, view: dict) -> dict:
    """The warnings' tiles (raised, closed, closure rate, average days to close, open,
    overdue) and the overdue units' figure, for the region."""
    lang = view["lang"]
    with engine.connect() as conn:
        today = qc.workflow_today(conn)
        summary = warning_summary(conn, scope, today, region=view.get("region"))
        units = overdue_by_unit(conn, scope, today, region=view.get("region"))
    fig = with_export_meta(overdue_units_figure(units, lang=lang), title=t("warnings.units.title", lang),
                           region=view.get("region_name") or "", period=t("clues.funnel.period", lang,
                                                                           date=view.get("as_of") or ""),
                           as_of=view.get("as_of"))
    return {"summary": summary, "figure": fig}


def warning_grid_query(view: dict, only: str | None = None) -> dict:
    params = {"region": view.get("region")}
    if only in ("open", "overdue"):
        params["only"] = only
    return {"source": "warning_list", "params": params, "lang": view["lang"]}


def warning_card_view(engine, scope, warning_id: int) -> dict | None:
    """One warning with its loop history, or None outside the user's scope."""
    w = Warning.__table__
    with engine.connect() as conn:
        today = qc.workflow_today(conn)
        row = conn.execute(select(w, state_expr().label("state"), overdue_expr(today).label("overdue"))
                           .where(w.c.id == int(warning_id), scope_condition(w.c.region_code, scope))).mappings().first()
        if row is None:
            return None
        names = qc.region_names(conn, [row["region_code"], row["unit_code"]])
        history = warning_history(conn, warning_id)
    return {**dict(row), "region_name": names.get(row["region_code"], row["region_code"]),
            "unit_name": names.get(row["unit_code"] or "", row["unit_code"] or "—"), "history": history}


def apply_warning_action(engine, scope, warning_id: int, action: str, note: str, *, actor: str) -> dict:
    """One step of a warning's loop in one transaction (data.rules.warnings.act)."""
    with engine.begin() as conn:
        return act(conn, warning_id, action, note, actor=actor, scope=scope, today=qc.workflow_today(conn),
                   library=active_library(conn))


def place_oversight_view(engine, scope, region: str, lang: str) -> pd.DataFrame:
    """The region's clues and warnings together, newest first (data.queries.clues.place_oversight)."""
    with engine.connect() as conn:
        return qc.place_oversight(conn, scope, region, active_library(conn), lang=lang)
