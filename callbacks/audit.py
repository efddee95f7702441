"""Audit page wiring: the chain's state, the filter options, the filtered rows, the export
(itself audited). Only the auditor's role holds VIEW_AUDIT."""
from __future__ import annotations

import datetime as dt
import json

from dash import Input, Output, State, dcc, html

from data import audit
from data.access import VIEW_AUDIT
from exports.tables import frame_to_xlsx_bytes
from i18n import t
from ids import audit as aid
from runtime import audit_event, get_engine

RIGHT = VIEW_AUDIT


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:  # a forged value: no bound rather than an error
        return None


def filtered(user, action, start, end):
    with get_engine().connect() as conn:
        return audit.fetch_log(conn, user=user or None, action=action or None, start=_date(start), end=_date(end))


def chain_and_options(lang):
    with get_engine().connect() as conn:
        check = audit.verify(conn)
        users, actions = audit.distinct_values(conn, "user"), audit.distinct_values(conn, "action")
    if check.ok:
        badge = html.Span(t("audit.chain.ok", lang, rows=check.rows), className="badge text-bg-success")
    else:
        badge = html.Span(t("audit.chain.broken", lang, row=check.broken[0]["id"], count=len(check.broken)),
                          className="badge text-bg-danger")
    return badge, [{"label": u, "value": u} for u in users], [{"label": a, "value": a} for a in actions]


def rows(user, action, start, end, lang):
    frame = filtered(user, action, start, end)
    frame["at"] = frame["at"].astype(str).str[:19]
    frame["detail"] = frame["detail"].map(lambda d: json.dumps(d, ensure_ascii=False) if d else "")
    return frame.to_dict("records"), t("audit.count", lang, rows=len(frame))


def export(n_clicks, user, action, start, end, lang):
    frame = filtered(user, action, start, end)
    frame["detail"] = frame["detail"].map(lambda d: json.dumps(d, ensure_ascii=False) if d else "")
    frame.columns = [t(f"audit.column.{c}", lang) for c in frame.columns]
    audit_event("export_audit", "audit_log", detail={"user": user, "action": action, "start": start,
                                                     "end": end, "rows": len(frame)})
    return dcc.send_bytes(frame_to_xlsx_bytes(frame), f"audit_log_{dt.date.today():%Y%m%d}.xlsx")


def register(app) -> None:
    app.callback(Output(aid.AU_CHAIN, "children"), Output(aid.AU_USER, "options"), Output(aid.AU_ACTION, "options"),
                 Input(aid.AU_LANG, "data"))(chain_and_options)
    filters = (Input(aid.AU_USER, "value"), Input(aid.AU_ACTION, "value"),
               Input(aid.AU_DATES, "start_date"), Input(aid.AU_DATES, "end_date"))
    app.callback(Output(aid.AU_GRID, "rowData"), Output(aid.AU_COUNT, "children"),
                 *filters, State(aid.AU_LANG, "data"))(rows)
    app.callback(Output(aid.AU_DOWNLOAD, "data"), Input(aid.AU_EXPORT, "n_clicks"),
                 *[State(i.component_id, i.component_property) for i in filters], State(aid.AU_LANG, "data"),
                 prevent_initial_call=True)(export)
