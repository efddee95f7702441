"""The risk warnings' closed-loop actions (the warning card's form): issue the verification
task, record the unit's feedback, close (销号), reopen. Needs HANDLE_WARNINGS, checked on the
server (callbacks/__init__.py); the loop itself checks the step, the note and the jurisdiction
(data.rules.warnings.act)."""
from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
from dash import Input, Output, State, no_update

from callbacks.page_state import page_lang
from data.access import HANDLE_WARNINGS
from data.rules.workflow import WorkflowRefused
from i18n import t
from ids import clues as cid
from runtime import current_scope, current_user, get_engine
from views import clues as view

RIGHT = HANDLE_WARNINGS  # what these callbacks need (checked on the server, callbacks/__init__.py)


def submit_action(n_clicks, warning_id, action, note, resolved):
    if not n_clicks or warning_id in (None, "") or not isinstance(action, str):
        return no_update, no_update
    lang = page_lang(resolved)
    try:
        done = view.apply_warning_action(get_engine(), current_scope(), int(warning_id), action, str(note or ""),
                                         actor=current_user().name)
    except WorkflowRefused as refused:
        return dbc.Alert(refused.message(lang), color="warning", className="mb-0 py-1"), no_update
    except (TypeError, ValueError):
        return dbc.Alert(t("clues.move.bad", lang), color="warning", className="mb-0 py-1"), no_update
    text = t("warnings.action.done", lang, state=t(f"warnings.state.{done['state']}", lang),
             due=done["task_due_on"] or "—")
    return dbc.Alert(text, color="success", className="mb-0 py-1"), f"{warning_id}:{dt.datetime.now():%H%M%S%f}"


def register(app) -> None:
    app.callback(Output(cid.W_RESULT, "children"), Output(cid.W_MOVED, "data"),
                 Input(cid.W_SUBMIT, "n_clicks"), State(cid.W_OPEN, "data"), State(cid.W_ACTION, "value"),
                 State(cid.W_NOTE, "value"), State(cid.RESOLVED, "data"), prevent_initial_call=True)(submit_action)
