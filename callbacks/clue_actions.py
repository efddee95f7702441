"""The clue workflow's actions (callbacks of the clue card's move form).

A move needs HANDLE_CLUES, checked on the server before anything runs (callbacks/__init__.py);
the workflow itself checks the jurisdiction, the step, the reason and the handler unit
(data.rules.workflow.move_clue) and refuses with a message in the user's language.
"""
from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
from dash import Input, Output, State, no_update

from callbacks.page_state import page_lang
from data.access import HANDLE_CLUES
from data.rules.workflow import Move, WorkflowRefused
from i18n import t
from ids import clues as cid
from runtime import current_scope, current_user, get_engine
from views import clues as view

RIGHT = HANDLE_CLUES  # what these callbacks need (checked on the server, callbacks/__init__.py)


def submit_move(n_clicks, clue_id, to, handler, dismiss_reason, reason, resolved):
    """(the result line, the MOVED stamp that re-renders the page) of one move."""
    if not n_clicks or clue_id in (None, "") or not isinstance(to, str):
        return no_update, no_update
    lang = page_lang(resolved)
    try:
        move = Move(int(clue_id), to, str(reason or ""), handler_code=handler if isinstance(handler, str) else None,
                    dismiss_reason=dismiss_reason if isinstance(dismiss_reason, str) else None)
        moved = view.apply_move(get_engine(), current_scope(), move, actor=current_user().name)
    except WorkflowRefused as refused:
        return dbc.Alert(refused.message(lang), color="warning", className="mb-0 py-1"), no_update
    except (TypeError, ValueError):
        return dbc.Alert(t("clues.move.bad", lang), color="warning", className="mb-0 py-1"), no_update
    text = t("clues.move.done", lang, id=move.clue_id, status=t(f"clue_status.{moved['status']}", lang),
             due=moved["due_on"] or "—")
    return dbc.Alert(text, color="success", className="mb-0 py-1"), f"{move.clue_id}:{dt.datetime.now():%H%M%S%f}"


def register(app) -> None:
    app.callback(Output(cid.MOVE_RESULT, "children"), Output(cid.MOVED, "data"),
                 Input(cid.MOVE_SUBMIT, "n_clicks"), State(cid.OPEN, "data"), State(cid.MOVE_TO, "value"),
                 State(cid.MOVE_HANDLER, "value"), State(cid.MOVE_DISMISS, "value"), State(cid.MOVE_REASON, "value"),
                 State(cid.RESOLVED, "data"), prevent_initial_call=True)(submit_move)
