"""Identity by case on the complaints page: one case, a stated reason, shown once, audited
(data/identity.py). Only roles holding UNMASK_IDENTITY reach it; the result is rendered
straight into the page, never stored in a dcc.Store or a cache."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, html, no_update

from callbacks.chart_export import lang_of
from data.access import UNMASK_IDENTITY
from data.identity import UnmaskRefused, unmask_complainant
from i18n import t
from ids import PAGES_LOCATION
from ids import complaints as cid
from runtime import client_address, current_scope, current_user, get_engine

RIGHT = UNMASK_IDENTITY


def open_identity(n_clicks, case_no, reason, search):
    """The complainant of one case (alert), or why not."""
    if not n_clicks:
        return no_update
    lang = lang_of(search)
    try:
        with get_engine().begin() as conn:
            person = unmask_complainant(conn, current_scope(), str(case_no or ""), str(reason or ""),
                                        user=current_user().name, address=client_address())
    except UnmaskRefused as exc:
        return dbc.Alert(t(f"identity.refused.{exc.key}", lang), color="warning", className="mb-0")
    return dbc.Alert([html.Strong(t("identity.shown", lang, case=person.case_no)),
                      html.Div(t("identity.person", lang, name=person.name, phone=person.phone,
                                 id_number=person.id_number)),
                      html.Small(t("identity.audited", lang), className="text-muted")],
                     color="danger", className="mb-0", dismissable=True)


def register(app) -> None:
    app.callback(Output(cid.UNMASK_RESULT, "children"), Input(cid.UNMASK_OPEN, "n_clicks"),
                 State(cid.UNMASK_CASE, "value"), State(cid.UNMASK_REASON, "value"),
                 State(PAGES_LOCATION, "search"), prevent_initial_call=True)(open_identity)
