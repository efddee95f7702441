"""Data intake page wiring: an upload starts an import job (its own process:
data/intake/jobs.py), a poll shows its progress and then the summary and the rejected
rows; the error report and the templates download; the history lists every batch.
Only the data administrator's role holds IMPORT_DATA."""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import re

import pandas as pd
from dash import Input, Output, State, dcc, html, no_update

from data.access import IMPORT_DATA
from data.intake import jobs, reporting
from data.intake.datasets import DATASETS
from data.intake.history import import_history, rejected_rows
from data.queries import fetch_dataset_info
from exports.error_report import error_report
from exports.templates import template_xlsx
from i18n import t
from ids import data as did
from runtime import audit_event, client_address, current_scope, current_user, get_engine, get_settings

RIGHT = IMPORT_DATA
MAX_FILES = 20
SUMMARY_COLUMNS = ("file", "dataset", "batch", "rows", "loaded", "updated", "unchanged", "rejected", "note")


def start_import(contents, names, lang):
    """Decode the uploaded files and start their import; (job, poll disabled, status)."""
    if not contents:
        return no_update, no_update, no_update
    if len(contents) > MAX_FILES:
        return no_update, True, t("data.upload.too_many", lang, n=MAX_FILES)
    files = []
    for content, name in zip(contents, names or []):
        try:
            files.append((name, base64.b64decode(str(content).split(",", 1)[1], validate=True)))
        except (IndexError, ValueError, binascii.Error):
            continue  # not a data URL: a forged request, nothing to import
    if not files:
        return no_update, True, ""
    settings, user = get_settings(), current_user()
    job = jobs.start(settings.var_dir, files, user=user.name, scope=list(current_scope().codes),
                     database_url=settings.database_url, address=client_address())
    audit_event("import_upload", f"import:{job}", detail={"files": [n for n, _ in files]})
    return {"job": job}, False, t("data.status.started", lang, n=len(files))


def poll(n_intervals, job, lang):
    """(progress value, style, status text, poll disabled, summary, rejected rows, report disabled)."""
    hidden, keep = {"visibility": "hidden"}, no_update
    if not job:
        return 0, hidden, "", True, keep, keep, keep
    status = jobs.status(get_settings().var_dir, str(job.get("job")), current_user().name)
    state, value = status["state"], int(status.get("progress") or 0)
    if state == "running":
        name, _, stage = status.get("step", "").rpartition(": ")
        step = f"{name} · {t(f'data.stage.{stage}', lang)}" if stage else ""
        return value, {"visibility": "visible"}, t("data.status.running", lang, step=step), False, keep, keep, keep
    if state == "missing":
        return 0, hidden, t("data.status.missing", lang), True, keep, keep, keep
    reports = status.get("reports") or []
    rows = _rejected_for(reports)
    text = (t("data.status.error", lang, error=status.get("error") or "") if state == "error" else
            t("data.status.done", lang, files=len(reports), **_totals(reports)))
    return 100, hidden, text, True, _summary_table(reports, lang), rows, not rows


def _totals(reports: list[dict]) -> dict[str, int]:
    return {k: sum(int(r.get(k) or 0) for r in reports) for k in ("loaded", "updated", "unchanged", "rejected")}


def _batches(reports: list[dict]) -> list[int]:
    """The batches of the job's files (a file sent again: the batch that loaded it)."""
    found = (r.get("batch") or r.get("same_file_as") for r in reports)
    return [int(b) for b in found if b]


def _rejected_for(reports: list[dict]) -> list[dict]:
    """The grid's rows: the stored rejected rows of the job's batches, and the reason of
    each file that could not be read at all."""
    with get_engine().connect() as conn:
        frame = rejected_rows(conn, _batches(reports))
    out = frame.drop(columns=["raw", "dataset"]).to_dict("records")
    for report in reports:
        if report.get("batch") is None and report.get("errors") and not report.get("rows"):
            error = report["errors"][0]
            out.append({"file": report.get("file"), "line": error.get("line"), "column": "", "value": "",
                        "reason": error.get("reason"), "reason_en": error.get("reason_en", "")})
    return out


def _summary_table(reports: list[dict], lang: str):
    if not reports:
        return t("data.summary.empty", lang)
    head = html.Thead(html.Tr([html.Th(t(f"data.col.{c}", lang)) for c in SUMMARY_COLUMNS]))
    body = []
    for r in reports:
        note = ""
        if r.get("same_file_as"):
            note = t("data.summary.same_file", lang, batch=r["same_file_as"])
        if r.get("errors") and not r.get("rows"):
            note = t("data.summary.unreadable", lang, reason=r["errors"][0].get("reason", ""))
        dataset = r.get("dataset")
        cells = [r.get("file"), t(f"data.dataset.{dataset}", lang) if dataset in DATASETS else (dataset or "—"),
                 r.get("batch") or "—", r.get("rows"), r.get("loaded"), r.get("updated"), r.get("unchanged"),
                 r.get("rejected"), note]
        body.append(html.Tr([html.Td(c) for c in cells],
                            className="table-warning" if r.get("rejected") or note else None))
    return html.Table([head, html.Tbody(body)], className="table table-sm sun-table mb-0")


def download_report(n_clicks, job):
    if not n_clicks or not job:
        return no_update
    status = jobs.status(get_settings().var_dir, str(job.get("job")), current_user().name)
    batches = _batches(status.get("reports") or [])
    with get_engine().connect() as conn:
        frame = rejected_rows(conn, batches)
    if frame.empty:
        return no_update
    data, name = error_report(frame)
    audit_event("export_xlsx", f"import_errors:{job.get('job')}", detail={"batches": batches, "rows": len(frame)})
    return dcc.send_bytes(data, name)


def history(_job_data, lang):
    with get_engine().connect() as conn:
        frame = import_history(conn)
    named = {*DATASETS, "demo", "boundary"}
    frame["dataset"] = [t(f"data.dataset.{d}", lang) if d in named else d for d in frame["dataset"]]
    frame["status"] = [t(f"data.status_value.{s}", lang) for s in frame["status"]]
    return frame.to_dict("records")


def download_template(n_clicks, dataset):
    if not n_clicks or dataset not in DATASETS:
        return no_update
    return dcc.send_bytes(template_xlsx(DATASETS[dataset]), f"{dataset}_模板.xlsx")


def reporting_periods(dataset, lang):
    """The period picker: the dataset's last twelve periods that are due, newest first."""
    if dataset not in reporting.DUE_DATASETS:
        return no_update, no_update
    with get_engine().connect() as conn:
        info = fetch_dataset_info(conn)
        periods = reporting.reporting_periods(conn, _as_of(info), dataset)
    return [{"label": p, "value": p} for p in periods], (periods[0] if periods else None)


def _as_of(info: dict) -> dt.date:
    try:
        return dt.date.fromisoformat(info.get("as_of", ""))
    except ValueError:
        return dt.date.today()


def reporting_table(period, dataset, lang):
    """The ranking of the units below the user's home region, and the villages missing."""
    if not period or not re.fullmatch(r"\d{4}-(\d{2}|Q[1-4])", str(period)) or dataset not in reporting.DUE_DATASETS:
        return no_update
    scope = current_scope()
    with get_engine().connect() as conn:
        root = scope.home(fetch_dataset_info(conn).get("root_code"))
        if root is None:
            return html.P(t("data.reporting.none", lang), className="text-muted")
        villages = reporting.village_reports(conn, scope, root, period, dataset)
        ranking = reporting.unit_ranking(conn, villages)
    if villages.empty:
        return html.P(t("data.reporting.none", lang), className="text-muted")
    cols = ("rank", "name", "villages", "reported", "completeness", "on_time", "days_late")
    head = html.Thead(html.Tr([html.Th(t(f"data.reporting.col.{c}", lang)) for c in cols]))
    body = [html.Tr([html.Td(i + 1), html.Td(r.name), html.Td(int(r.villages)), html.Td(int(r.reported)),
                     html.Td(f"{r.completeness:.1%}"), html.Td("—" if pd.isna(r.on_time) else f"{r.on_time:.1%}"),
                     html.Td("—" if pd.isna(r.days_late) else f"{r.days_late:.1f}")],
                    className="table-warning" if r.completeness < 1 else None)
            for i, r in enumerate(ranking.itertuples(index=False))]
    missing = villages[~villages["reported"]]
    units = dict(zip(ranking["unit"], ranking["name"]))
    parts: list = [html.Div(t(f"data.reporting.rule.{dataset}", lang, day=reporting.DUE_DAY), className="sun-note mb-2"),
                   html.Table([head, html.Tbody(body)], className="table table-sm sun-table mb-2")]
    if villages["days_late"].isna().all() and villages["reported"].any():
        parts.append(html.Div(t("data.reporting.unknown", lang), className="sun-note mb-2"))
    if missing.empty:
        parts.append(html.Div(t("data.reporting.missing_none", lang), className="sun-note"))
    else:
        missing_key = "data.reporting.missing_disclosures" if dataset == "disclosures" else "data.reporting.missing"
        parts.append(html.Div(t(missing_key, lang, n=len(missing)), className="fw-semibold mb-1"))
        parts.append(html.Ul([html.Li(f"{units.get(u, '')} · {name}（{code}）")
                              for code, name, u in zip(missing["code"][:100], missing["name"][:100],
                                                       missing["unit"][:100])], className="sun-missing-list"))
    return html.Div(parts)


def register(app) -> None:
    """Attach the data intake callbacks to `app`."""
    app.callback(Output(did.DA_JOB, "data"), Output(did.DA_POLL, "disabled", allow_duplicate=True),
                 Output(did.DA_STATUS, "children", allow_duplicate=True),
                 Input(did.DA_UPLOAD, "contents"), State(did.DA_UPLOAD, "filename"), State(did.DA_LANG, "data"),
                 prevent_initial_call=True)(start_import)
    app.callback(Output(did.DA_PROGRESS, "value"), Output(did.DA_PROGRESS, "style"),
                 Output(did.DA_STATUS, "children"), Output(did.DA_POLL, "disabled"),
                 Output(did.DA_SUMMARY, "children"), Output(did.DA_REJECTED, "rowData"),
                 Output(did.DA_REPORT, "disabled"),
                 Input(did.DA_POLL, "n_intervals"), State(did.DA_JOB, "data"), State(did.DA_LANG, "data"),
                 prevent_initial_call=True)(poll)
    app.callback(Output(did.DA_REPORT_DOWNLOAD, "data"), Input(did.DA_REPORT, "n_clicks"),
                 State(did.DA_JOB, "data"), prevent_initial_call=True)(download_report)
    app.callback(Output(did.DA_HISTORY, "rowData"), Input(did.DA_SUMMARY, "children"),
                 State(did.DA_LANG, "data"))(history)
    app.callback(Output(did.DA_REPORTING_MONTH, "options"), Output(did.DA_REPORTING_MONTH, "value"),
                 Input(did.DA_REPORTING_DATASET, "value"), State(did.DA_LANG, "data"))(reporting_periods)
    app.callback(Output(did.DA_REPORTING, "children"), Input(did.DA_REPORTING_MONTH, "value"),
                 State(did.DA_REPORTING_DATASET, "value"), State(did.DA_LANG, "data"))(reporting_table)
    app.callback(Output(did.DA_TEMPLATE_DOWNLOAD, "data"), Input(did.DA_TEMPLATE_GET, "n_clicks"),
                 State(did.DA_TEMPLATE, "value"), prevent_initial_call=True)(download_template)
