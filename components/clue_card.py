"""The clue card (线索卡片): the rule in one sentence with its thresholds, the matched records
side by side, the place (its profile link, complaints and warnings), the history of every
status change, and — for a user with HANDLE_CLUES — the form that moves the clue.

Laid out from views.clues.card_view (plain values; pseudonymous keys only). The form is
only a convenience: the server checks the right and the move again (callbacks/clue_actions.py).
"""
from __future__ import annotations

import math

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

import runtime
from components.attrs import html_attrs
from data.access import HANDLE_CLUES, HANDLE_WARNINGS
from i18n import t
from ids import clues as cid

SEVERITY_COLOURS = {"red": "danger", "orange": "warning", "yellow": "info"}
DEADLINE_COLOURS = {"near": "warning", "overdue": "danger"}
MONEY = {"amount", "per_person_standard"}
FLAGS = {"has_vehicle", "has_property"}


# code columns shown by their catalog label (the county's own words stay as sent)
CODE_LABELS = {"channel": "channel", "level": "warning_level", "kind": "disclosure_kind",
               "payment_cycle": "clues.cycle", "category": "ledger_category"}
COMPLAINT_CODES = {**CODE_LABELS, "category": "complaint_category"}


def _label(prefix: str, value) -> str:
    return f"{prefix}.{value}"


def _cell(field: str, value, lang: str, codes: dict = CODE_LABELS) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "—"
    if field in codes:
        label = t(_label(codes[field], value), lang)
        return str(value) if label == _label(codes[field], value) else label
    if field in MONEY:
        return f"{float(value):,.2f}"
    if field in FLAGS:
        return t("clues.card.yes", lang) if bool(value) else t("clues.card.no", lang)
    if field == "status":
        return t(f"clue_status.{value}", lang)
    if field == "official_post":
        return t(f"clues.post.{value}", lang) if f"{value}".isidentifier() else str(value)
    return str(value)[:19] if field in ("received_at", "closed_at", "recorded_at") else str(value)


def records_table(frame: pd.DataFrame, fields: tuple[str, ...], lang: str, *, name: str) -> html.Div:
    """A small table of `fields` (headers from clues.card.col.<field>), '—' for none."""
    if frame is None or frame.empty:
        return html.Div(t("clues.card.none", lang), className="sun-note")
    codes = COMPLAINT_CODES if name == "complaints" else CODE_LABELS
    head = html.Thead(html.Tr([html.Th(t(f"clues.card.col.{f}", lang), className="text-nowrap") for f in fields]))
    body = html.Tbody([html.Tr([html.Td(_cell(f, row.get(f), lang, codes),
                                        className="text-end" if f in MONEY else None) for f in fields])
                       for row in frame.to_dict("records")])
    return html.Div(dbc.Table([head, body], size="sm", bordered=False, hover=True, className="sun-card-table mb-2"),
                    className="table-responsive", **html_attrs({"data-evidence": name}))


def _facts(facts: dict, lang: str) -> html.Dl | None:
    if not facts:
        return None
    def value(v):
        if isinstance(v, float):
            return f"{v:.3g}" if abs(v) < 1e-3 and v else f"{v:,.4g}"
        if isinstance(v, list):
            return ", ".join(map(str, v[:12])) + (" …" if len(v) > 12 else "")
        if isinstance(v, dict):
            return "; ".join(f"{k}: {value(x)}" for k, x in v.items())
        return str(v)
    return html.Dl([part for k, v in facts.items()
                    for part in (html.Dt(t(f"clues.fact.{k}", lang) if t(f"clues.fact.{k}", lang) != f"clues.fact.{k}"
                                         else k), html.Dd(value(v)))],
                   className="sun-facts mb-2", **html_attrs({"data-evidence": "facts"}))


def _side(title: str, parts: list, name: str, width: int = 6) -> dbc.Col:
    return dbc.Col(html.Div([html.H3(title, className="sun-card-subtitle fw-semibold mb-2"), *parts],
                            className="sun-evidence-side", **html_attrs({"data-side": name})), lg=width)


def evidence_sides(card: dict, lang: str) -> dbc.Row:
    """Left: what was paid or spent (payments, vouchers); right: what it was compared with
    (the registry's persons, the programme's standard, the disclosure items, the test)."""
    money: list = []
    if not card["payments"].empty or card["rule"] in ("deceased_payment", "duplicate_payment"):
        payments = card["payments"]
        # the subject's own payments: its key stands in the header once, not on every row
        own = not payments.empty and payments["beneficiary_key"].eq(card["subject_key"]).all()
        fields = ("payment_no", "program", "period", "due_date", "paid_date", "amount") + (() if own else
                                                                                            ("beneficiary_key",))
        money.append(records_table(payments, fields, lang, name="payments"))
    if not card["vouchers"].empty:
        money.append(records_table(card["vouchers"], ("voucher_no", "entry_date", "category", "counterparty",
                                                      "amount", "summary"), lang, name="vouchers"))
    if not money:
        money.append(html.Div(t("clues.card.no_records", lang), className="sun-note"))
    shown = len(card["payments"]) + len(card["vouchers"])
    total = max(card["counts"].get("payments", 0), card["counts"].get("vouchers", 0))
    if total > shown:
        money.append(html.Div(t("clues.card.more_records", lang, shown=shown, total=total), className="sun-note"))
    registry: list = []
    if not card["persons"].empty:
        registry.append(records_table(card["persons"], ("person_key", "village_code", "deceased_date", "official_post",
                                                        "relative_of", "relation", "has_vehicle", "has_property"),
                                      lang, name="persons"))
    if not card["programs"].empty:
        registry.append(records_table(card["programs"], ("code", "name", "per_person_standard", "payment_cycle"),
                                      lang, name="programs"))
    if not card["disclosures"].empty:
        registry.append(records_table(card["disclosures"], ("item_no", "kind", "period", "due_date", "published_date"),
                                      lang, name="disclosures"))
    facts = _facts(card["facts"], lang)
    if facts is not None:
        registry.append(facts)
    return dbc.Row([_side(t("clues.card.side_money", lang), money, "money", 7),
                    _side(t("clues.card.side_registry", lang), registry, "registry", 5)], className="g-3 mb-3")


def _header(card: dict, lang: str) -> html.Div:
    badges = [dbc.Badge(t(f"warning_level.{card['severity']}", lang) if card["severity"] else "—",
                        color=SEVERITY_COLOURS.get(card["severity"], "secondary"), className="me-1"),
              html.Span(dbc.Badge(t(f"clue_status.{card['status']}", lang), color="primary", className="me-1"),
                        **html_attrs({"data-status": card["status"]}))]
    if card.get("dismiss_reason"):
        badges.append(dbc.Badge(t(f"clues.dismiss.{card['dismiss_reason']}", lang), color="secondary",
                                className="me-1"))
    if card["deadline"] in DEADLINE_COLOURS:
        badges.append(dbc.Badge(t(f"clues.deadline.{card['deadline']}", lang),
                                color=DEADLINE_COLOURS[card["deadline"]], className="me-1"))
    facts = [(t("clues.card.subject", lang), card["subject_key"]),
             (t("clues.card.amount", lang), t("clues.card.yuan", lang, value=f"{card['amount']:,.2f}")),
             (t("clues.card.score", lang), f"{card['score']:.0f}"),
             (t("clues.card.flagged_on", lang), card["flagged_on"]),
             (t("clues.card.handler", lang), card["handler_label"]),
             (t("clues.card.due_on", lang), card["due_on"] or "—")]
    colon = ": " if lang.startswith("en") else "："
    return html.Div([
        html.Div(badges, className="mb-2"),
        html.P([html.Strong(card["finding"]), html.Br(),
                html.Span(t("clues.card.thresholds", lang, params=card["params"]), className="sun-note")],
               className="mb-2", **html_attrs({"data-finding": card["rule"]})),
        html.Div([html.Span([html.Span(k + colon, className="text-muted"), v], className="me-3 d-inline-block")
                  for k, v in facts], className="mb-3 small"),
    ])


def _place(card: dict, lang: str) -> dbc.Row:
    region = card["region"]
    path = " · ".join([*region["path"], region["name"]])
    link = dcc.Link(t("clues.card.profile", lang, region=region["name"]),
                    href=f"/region/{region['code']}?lang={lang}", className="sun-link")
    complaints = records_table(card["complaints"], ("case_no", "received_at", "category", "channel", "closed_at"),
                               lang, name="complaints")
    warnings = records_table(card["warnings"], ("warning_no", "level", "title", "raised_on", "closed_on"),
                             lang, name="warnings")
    counts = card["counts"]
    return dbc.Row([
        dbc.Col([html.Div([html.Span(path, className="me-2"), link], className="mb-2")], width=12),
        dbc.Col([html.H3(t("clues.card.complaints", lang, n=counts.get("complaints", 0)),
                         className="sun-card-subtitle fw-semibold"), complaints], lg=6),
        dbc.Col([html.H3(t("clues.card.warnings", lang, n=counts.get("warnings", 0)),
                         className="sun-card-subtitle fw-semibold"), warnings], lg=6),
    ], className="g-3 mb-3")


def _history(card: dict, lang: str) -> html.Div:
    frame = card["history"].copy()
    if not frame.empty:
        frame["handler"] = frame["handler"].where(frame["handler"].notna(), None)
    return html.Div([html.H3(t("clues.card.history", lang), className="sun-card-subtitle fw-semibold"),
                     records_table(frame, ("at", "status", "actor", "handler", "note"), lang, name="history")])


def move_form(card: dict, handlers: list[dict], lang: str) -> html.Div:
    """The move form: to which step, the handler unit (proposed by jurisdiction), why; for
    a user without the right, a note (the server refuses the move anyway)."""
    if not runtime.may(HANDLE_CLUES):
        return html.Div(t("clues.move.no_right", lang), className="sun-note", **html_attrs({"data-move": "denied"}))
    if not card["moves"]:
        return html.Div(t("clues.move.decided", lang), className="sun-note", **html_attrs({"data-move": "decided"}))
    options = [{"label": t(f"clues.move.to.{m}", lang), "value": m} for m in card["moves"]]
    if card["status"] in ("flagged", "verifying", "verified"):
        options.append({"label": t("clues.move.reassign", lang), "value": card["status"]})
    handler = card["handler"] or card["proposed_handler"]
    return html.Div([
        html.H3(t("clues.move.title", lang), className="sun-card-subtitle fw-semibold"),
        dbc.Row([
            dbc.Col([dbc.Label(t("clues.move.to", lang), html_for=cid.MOVE_TO),
                     dcc.Dropdown(id=cid.MOVE_TO, options=options, value=card["moves"][0], clearable=False)], md=3),
            dbc.Col([dbc.Label(t("clues.move.handler", lang), html_for=cid.MOVE_HANDLER),
                     dcc.Dropdown(id=cid.MOVE_HANDLER, options=handlers, value=handler, clearable=False),
                     html.Div(t("clues.move.proposed", lang, unit=next(
                         (h["label"] for h in handlers if h["value"] == card["proposed_handler"]),
                         card["proposed_handler"])), className="sun-note")], md=4),
            dbc.Col([dbc.Label(t("clues.move.dismiss", lang), html_for=cid.MOVE_DISMISS),
                     dcc.Dropdown(id=cid.MOVE_DISMISS, options=[
                         {"label": t(f"clues.dismiss.{r}", lang), "value": r} for r in card["dismiss_reasons"]],
                         placeholder=t("clues.move.dismiss_hint", lang))], md=5),
            dbc.Col([dbc.Label(t("clues.move.reason", lang), html_for=cid.MOVE_REASON),
                     dbc.Textarea(id=cid.MOVE_REASON, maxLength=2000, rows=2,
                                  placeholder=t("clues.move.reason_hint", lang))], md=10),
            dbc.Col(dbc.Button(t("clues.move.submit", lang), id=cid.MOVE_SUBMIT, color="primary"),
                    md=2, className="d-flex align-items-end"),
        ], className="g-2"),
    ], className="sun-move-form", **html_attrs({"data-move": "form"}))


def clue_card(card: dict | None, handlers: list[dict], lang: str) -> list:
    """The card's body (the modal around it is the page's)."""
    if card is None:
        return [html.Div(t("clues.card.missing", lang), className="sun-note")]
    return [html.Div([_header(card, lang), evidence_sides(card, lang), _place(card, lang), _history(card, lang),
                      html.Hr(), move_form(card, handlers, lang)],
                     **html_attrs({"data-clue": str(card["id"]), "data-rule": card["rule"]}))]


# --- a risk warning's card -----------------------------------------------------------------

WARNING_ACTIONS = {"raised": ("task",), "tasked": ("feedback",), "feedback": ("close",), "closed": ("reopen",)}


def warning_card(card: dict | None, lang: str) -> list:
    """A warning: its level, title, place, responsible unit, task deadline, loop history and
    (HANDLE_WARNINGS) the next step's form."""
    if card is None:
        return [html.Div(t("warnings.card.missing", lang), className="sun-note")]
    colon = ": " if lang.startswith("en") else "："
    facts = [(t("warnings.col.warning_no", lang), card.get("warning_no") or "—"),
             (t("warnings.col.region", lang), card["region_name"]), (t("warnings.col.unit", lang), card["unit_name"]),
             (t("warnings.col.raised_on", lang), str(card["raised_on"])),
             (t("warnings.col.task_due_on", lang), str(card["task_due_on"] or "—"))]
    badges = [dbc.Badge(t(f"warning_level.{card['level']}", lang), color=SEVERITY_COLOURS.get(card["level"], "secondary"),
                        className="me-1"),
              html.Span(dbc.Badge(t(f"warnings.state.{card['state']}", lang), color="primary", className="me-1"),
                        **html_attrs({"data-state": card["state"]}))]
    if card["overdue"]:
        badges.append(dbc.Badge(t("clues.deadline.overdue", lang), color="danger"))
    history = card["history"].assign(action=[t(f"warnings.action.{a}", lang) for a in card["history"]["action"]],
                                     actor=[t("warnings.actor.import", lang) if a == "import" else a
                                            for a in card["history"]["actor"]])
    return [html.Div([
        html.Div(badges, className="mb-2"), html.P(html.Strong(card["title"]), className="mb-2"),
        html.Div([html.Span([html.Span(k + colon, className="text-muted"), v], className="me-3 d-inline-block")
                  for k, v in facts], className="mb-2 small"),
        html.P(card.get("feedback") or "", className="sun-note"),
        html.H3(t("clues.card.history", lang), className="sun-card-subtitle fw-semibold"),
        records_table(history, ("at", "action", "actor", "note"), lang, name="warning-history"),
        html.Hr(), _warning_form(card, lang),
    ], **html_attrs({"data-warning": str(card["id"])}))]


def _warning_form(card: dict, lang: str) -> html.Div:
    if not runtime.may(HANDLE_WARNINGS):
        return html.Div(t("warnings.action.no_right", lang), className="sun-note", **html_attrs({"data-move": "denied"}))
    actions = WARNING_ACTIONS[card["state"]]
    return html.Div(dbc.Row([
        dbc.Col([dbc.Label(t("warnings.action.label", lang), html_for=cid.W_ACTION),
                 dcc.Dropdown(id=cid.W_ACTION, value=actions[0], clearable=False,
                              options=[{"label": t(f"warnings.action.{a}", lang), "value": a} for a in actions])], md=3),
        dbc.Col([dbc.Label(t("warnings.action.note", lang), html_for=cid.W_NOTE),
                 dbc.Textarea(id=cid.W_NOTE, rows=2, maxLength=2000, placeholder=t("warnings.action.note_hint", lang))],
                md=7),
        dbc.Col(dbc.Button(t("clues.move.submit", lang), id=cid.W_SUBMIT, color="primary"), md=2,
                className="d-flex align-items-end"),
    ], className="g-2"), **html_attrs({"data-move": "form"}))
