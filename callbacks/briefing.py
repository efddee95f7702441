"""Weekly briefing callbacks: resolve the URL state, preview, background files, download.

Flow: the layout (pages/briefing.py) resolves the URL state and writes the narrative
(`render_text`) -> BR_TEXT_DONE -> `render_charts` (the charts, drawn from the briefing the
text was written from, cached between the two): the text is on screen before the charts
are built. All memoized per scope/region/week/lang/data version. "Generate"
(`start_files`) starts a job in a worker thread (exports/briefing_jobs.py) and enables the
poll; `poll_job` shows the progress and, when done, the download buttons; `download`
sends the file. No callback waits for the job: other users are never blocked.
"""
from __future__ import annotations

from pathlib import Path

from dash import Input, Output, State, ctx, dcc, html, no_update
from dash.development.base_component import Component

import ids
from callbacks.chart_export import ChartSource, register_exports
from callbacks.memo import memoized
from callbacks.page_state import pickers_to_url
from components.attrs import html_attrs
from data.access import MAKE_BRIEFING
from exports import briefing_jobs
from i18n import t
from ids import briefing as bid
from runtime import audit_event, current_scope, current_user, data_version, get_engine, get_settings
from views.briefing import CHART_KEYS, briefing_figures, build_briefing, for_preview

RIGHT = MAKE_BRIEFING  # what these callbacks need (checked on the server, callbacks/__init__.py)

CHART_OUTPUTS = [Output(ids.chart(bid.chart_key(key)), "figure") for key in CHART_KEYS]


def _narrative_children(briefing) -> list[Component]:
    out: list[Component] = []
    for topic in briefing.topics:
        out.append(html.H3(topic.title, className="sun-briefing-topic"))
        out.append(html.P(("" if briefing.lang != "en" else " ").join(topic.sentences),
                          **html_attrs({"data-topic": topic.key})))
    return out


def _no_region(lang: str) -> list[Component]:
    return [html.P(t("overview.no_region", lang), className="text-muted")]


def _chosen(resolved) -> bool:
    return bool(resolved and resolved.get("region") and resolved.get("week"))


def _briefing(scope, region: str, week: str, lang: str):
    """The briefing (narrative and frames) of the resolved state, built once for the text
    and the charts (memoized: the charts callback follows the text's)."""
    return memoized("br.build", scope, region, week, lang,
                    compute=lambda: build_briefing(get_engine(), scope, region, week, lang, settings=get_settings()))


def render_text(resolved):
    """(narrative children, the state for the charts) of the resolved region and week."""
    lang = (resolved or {}).get("lang", "zh-CN")
    if not _chosen(resolved):
        return _no_region(lang), None
    scope = current_scope()
    region, week = resolved["region"], resolved["week"]

    def compute():
        briefing = _briefing(scope, region, week, lang)
        return None if briefing is None else _narrative_children(briefing)
    narrative = memoized("br.text", scope, region, week, lang, compute=compute)
    if narrative is None:
        return _no_region(lang), None
    return narrative, resolved


def render_charts(resolved) -> list:
    """The preview's figures (CHART_KEYS order) of the resolved region and week."""
    empty: dict[str, object] = {"data": [], "layout": {}}
    if not _chosen(resolved):
        return [empty] * len(CHART_KEYS)
    lang = resolved.get("lang", "zh-CN")
    scope = current_scope()
    region, week = resolved["region"], resolved["week"]

    def compute():
        briefing = _briefing(scope, region, week, lang)
        if briefing is None:
            return None
        figures = for_preview(briefing_figures(briefing, engine=get_engine(), scope=scope,
                                               cache_dir=Path(get_settings().cache_dir), version=data_version()))
        return [figures[k] for k in CHART_KEYS]
    figures = memoized("br.charts", scope, region, week, lang, compute=compute)
    return figures if figures is not None else [empty] * len(CHART_KEYS)


def _owner() -> list[str]:
    """Who a briefing job belongs to: the user and the scope that made it (only they may
    follow or download it)."""
    return sorted([*current_scope().codes, f"user:{current_user().name}"])


def _job_for(resolved) -> tuple[str, dict] | tuple[None, None]:
    if not resolved or not resolved.get("region") or not resolved.get("week"):
        return None, None
    params = {"region": resolved["region"], "week": resolved["week"], "lang": resolved.get("lang", "zh-CN")}
    job = briefing_jobs.job_id(_owner(), params["region"], params["week"], params["lang"], data_version())
    return job, params


def start_files(n_clicks, resolved):
    """Start (or join) the background job making the PPTX and PDF; enable the poll."""
    if not n_clicks:
        return no_update, no_update
    job, params = _job_for(resolved)
    if job is None or params is None:  # both or neither
        return no_update, no_update
    from views.briefing_files import write_briefing
    engine, scope, settings = get_engine(), current_scope(), get_settings()
    version = data_version()
    stem = f"{resolved.get('region_name') or params['region']}_{params['week']}_{t('nav.briefing', params['lang'])}"

    def work(outputs, progress):
        write_briefing(engine, scope, params["region"], params["week"], params["lang"], outputs,
                       cache_dir=settings.cache_dir, version=version, progress=progress,
                       settings=settings)
    briefing_jobs.start(settings.var_dir, job, work, filename_stem=stem.replace("/", "-"), owner=_owner())
    audit_event("briefing_generate", f"briefing:{job}", region_code=params["region"],
                detail={"week": params["week"], "lang": params["lang"]})
    return {"job": job, "lang": params["lang"]}, False


def poll_job(n_intervals, job):
    """(progress value, label, style, status text, downloads hidden, poll disabled)."""
    if not job:
        return 0, "", {"visibility": "hidden"}, "", True, True
    lang = job.get("lang", "zh-CN")
    status = briefing_jobs.read_status(get_settings().var_dir, str(job.get("job")), owner=_owner())
    state, value = status.get("state"), int(status.get("progress") or 0)
    shown = {"visibility": "visible"}
    if state == "done":
        text = t("briefing.files.done", lang, seconds=status.get("seconds", ""))
        return 100, "100%", shown, text, False, True
    if state in ("error", "missing"):
        return value, "", {"visibility": "hidden"}, t("briefing.files.error", lang,
                                                      error=status.get("error") or state), True, True
    step = status.get("step") or ""
    label = t(f"briefing.step.{step.split(':')[0]}", lang) if step else ""
    return value, f"{value}%", shown, t("briefing.files.running", lang, step=label), True, False


def download(n_pptx, n_pdf, job):
    """Send the finished PPTX or PDF of the job."""
    if not job or not ctx.triggered_id:
        return no_update
    fmt = "pptx" if ctx.triggered_id == bid.BR_GET_PPTX else "pdf"
    status = briefing_jobs.read_status(get_settings().var_dir, str(job.get("job")), owner=_owner())
    path = (status.get("files") or {}).get(fmt)
    if status.get("state") != "done" or not path or not Path(path).exists():
        return no_update
    audit_event(f"export_{fmt}", f"briefing:{job.get('job')}", detail={"file": Path(path).name})
    return dcc.send_file(path)


# Exportable charts, re-created on the server from the resolved state (callbacks/chart_export.py)
def _preview_chart(index: int):
    """The index-th chart of the preview (render_charts, CHART_KEYS order)."""
    return lambda resolved: render_charts(resolved)[index]


CHARTS = {bid.chart_key(key): ChartSource(State(bid.BR_RESOLVED, "data"), _preview_chart(i))
          for i, key in enumerate(CHART_KEYS)}


def register(app) -> None:
    """Attach the briefing callbacks to `app`."""
    app.callback(Output(ids.PAGES_LOCATION, "search", allow_duplicate=True),
                 Input(bid.BR_REGION, "value"), Input(bid.BR_WEEK, "value"),
                 State(bid.BR_RESOLVED, "data"), State(ids.PAGES_LOCATION, "search"),
                 prevent_initial_call=True)(pickers_to_url)
    # pages/briefing.py writes the text into the layout; the charts follow from BR_TEXT_DONE
    # (on load: the text is on screen first, the charts one round later)
    app.callback(*CHART_OUTPUTS, Input(bid.BR_TEXT_DONE, "data"))(render_charts)
    app.callback(Output(bid.BR_JOB, "data"), Output(bid.BR_POLL, "disabled", allow_duplicate=True),
                 Input(bid.BR_GENERATE, "n_clicks"), State(bid.BR_RESOLVED, "data"),
                 prevent_initial_call=True)(start_files)
    app.callback(Output(bid.BR_PROGRESS, "value"), Output(bid.BR_PROGRESS, "label"),
                 Output(bid.BR_PROGRESS, "style"), Output(bid.BR_STATUS, "children"),
                 Output(bid.BR_DOWNLOADS, "hidden"), Output(bid.BR_POLL, "disabled"),
                 Input(bid.BR_POLL, "n_intervals"), State(bid.BR_JOB, "data"),
                 prevent_initial_call=True)(poll_job)
    app.callback(Output(bid.BR_DOWNLOAD, "data"),
                 Input(bid.BR_GET_PPTX, "n_clicks"), Input(bid.BR_GET_PDF, "n_clicks"),
                 State(bid.BR_JOB, "data"), prevent_initial_call=True)(download)
    register_exports(app, CHARTS)
