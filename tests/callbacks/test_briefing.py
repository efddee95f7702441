"""Briefing files belong to the scope that made them: another scope that learns (or
computes) the job id can neither follow nor download it."""
from __future__ import annotations

import types
from pathlib import Path

from dash import no_update

from exports import briefing_jobs
from ids import briefing as bid
from tests.support.session import signed_in


def _server(db_url, var_dir):
    from app import create_app
    from settings import load_settings
    return create_app(load_settings(env={"DATABASE_URL": db_url, "SUNSHINE_VAR_DIR": str(var_dir)})).server


def test_a_job_of_scope_a_cannot_be_polled_or_downloaded_by_scope_b(demo_db_url, tmp_path, monkeypatch):
    from callbacks import briefing

    def work(outputs, progress):
        for path in outputs.values():
            Path(path).write_bytes(b"briefing")
    owner = ["431023000000", "user:tester"]  # the user and scope of signed_in(scope=431023)
    job = briefing_jobs.job_id(owner, "431023000000", "2026-W46", "zh-CN", "v1")
    briefing_jobs.start(tmp_path, job, work, filename_stem="b", owner=owner)
    assert briefing_jobs.wait(tmp_path, job, timeout=10)["state"] == "done"
    monkeypatch.setattr(briefing, "ctx", types.SimpleNamespace(triggered_id=bid.BR_GET_PPTX))
    store = {"job": job, "lang": "zh-CN"}
    server = _server(demo_db_url, tmp_path)
    with signed_in(server, scope=("431023",)):
        assert briefing.download(1, None, store) is not no_update
        assert briefing.poll_job(1, store)[0] == 100
    with signed_in(server, scope=("431023",), name="another"):  # same scope, another user
        assert briefing.download(1, None, store) is no_update
    with signed_in(server, scope=("431021",)):
        assert briefing.download(1, None, store) is no_update
        assert briefing.poll_job(1, store)[4] is True  # downloads stay hidden
        assert briefing.download(1, None, {"job": ["forged"]}) is no_update


def test_the_text_is_shown_before_any_chart_is_built(demo_db_url, tmp_path, monkeypatch):
    """Issue #16: the narrative callback builds no chart; it hands the state on to the
    charts callback, which draws every chart of the briefing the text was written from."""
    from callbacks import briefing, page_state
    from views.briefing import CHART_KEYS, PREVIEW_CHART_PX

    def no_charts(*args, **kwargs):
        raise AssertionError("the text callback built the charts")
    server = _server(demo_db_url, tmp_path)
    with signed_in(server, scope=("431023",)):
        resolved = page_state.resolve_state({"region": "431023", "week": "2026-W46", "lang": "zh-CN"})[-1]
        with monkeypatch.context() as patched:
            patched.setattr(briefing, "briefing_figures", no_charts)
            narrative, done = briefing.render_text(resolved)
        topics = [c for c in narrative if getattr(c, "className", None) != "sun-briefing-topic"]
        assert len(topics) == 11 and done == resolved  # one paragraph per topic
        figures = briefing.render_charts(done)
        assert len(figures) == len(CHART_KEYS) and all(fig.get("data") for fig in figures[:3])
        assert all(fig["layout"]["height"] == PREVIEW_CHART_PX for fig in figures)
        assert briefing.render_text(None)[1] is None and briefing.render_charts(None)[0] == {"data": [], "layout": {}}

