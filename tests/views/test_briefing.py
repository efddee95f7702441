"""Weekly briefing: narrative numbers = query layer (and raw SQL), PPTX/PDF files, CLI, job."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.support.demo import DEMO_COUNTY, DEMO_WEEK

SCOPE = ("430000000000",)
PAGE_RE = re.compile(rb"/Type\s*/Page(?![s\w])")


@pytest.fixture(scope="module")
def scope():
    from data.scope import Scope
    return Scope.of(*SCOPE)


@pytest.fixture(scope="module")
def briefing(demo_engine, scope):
    from views.briefing import build_briefing
    return build_briefing(demo_engine, scope, DEMO_COUNTY, "2026-W46", "zh-CN")


@pytest.fixture(scope="module")
def files(demo_engine, scope, tmp_path_factory):
    """PPTX + PDF of the demo county, written once for the module (timed)."""
    from data.model.version import data_version
    from views.briefing_files import write_briefing
    out = tmp_path_factory.mktemp("briefing")
    steps = []
    started = time.perf_counter()
    b = write_briefing(demo_engine, scope, DEMO_COUNTY, "2026-W46", "zh-CN",
                       {"pptx": out / "b.pptx", "pdf": out / "b.pdf"}, cache_dir=out / "cache",
                       version=data_version(demo_engine), progress=lambda p, s: steps.append((p, s)))
    return {"briefing": b, "pptx": out / "b.pptx", "pdf": out / "b.pdf", "steps": steps,
            "seconds": time.perf_counter() - started}


def _numbers(text_: str) -> list[str]:
    """Every number as written ('1,233', '89.6%', '−0.3', '2026') in a text."""
    return re.findall(r"[+−-]?\d[\d,]*(?:\.\d+)?%?", text_)


def test_headline_numbers_equal_the_query_layer_and_raw_sql(demo_engine, scope, briefing):
    from data import queries
    from i18n.numbers import format_value
    with demo_engine.connect() as conn:
        kpis = queries.fetch_kpis(conn, scope, region_code=DEMO_COUNTY, week_key=DEMO_WEEK)
        raw_received = conn.execute(text(
            "SELECT COUNT(*) FROM complaint WHERE substr(village_code, 1, 6) = '431023' "
            "AND received_at >= '2026-11-09' AND received_at < '2026-11-16'")).scalar_one()
    values = {row.key: format_value(row.value, row.unit, "zh-CN") for row in kpis.itertuples()}
    assert values["complaints_received"] == f"{raw_received:,}"  # the query layer = raw SQL
    headline = briefing.topics[0]
    assert headline.key == "headline"
    text_ = "".join(headline.sentences)
    for key, shown in values.items():
        assert shown in text_, (key, shown)
    # and no other number: every figure of the headline is a KPI (or the week / dates)
    allowed = set(values.values()) | {"2026", "-W46", "11-09", "11-15", "5"}
    for number in _numbers(text_):
        assert number in allowed or any(number in v for v in allowed), number


def test_week_on_week_and_year_on_year_sentences_quote_fetch_kpis(demo_engine, scope, briefing):
    from data import queries
    from data.indicators import week_on_week_change
    from i18n.numbers import format_change, format_value
    from views.briefing import YOY_KEYS, yoy_week
    with demo_engine.connect() as conn:
        now = queries.fetch_kpis(conn, scope, region_code=DEMO_COUNTY, week_key=DEMO_WEEK).set_index("key")
        then = queries.fetch_kpis(conn, scope, region_code=DEMO_COUNTY, week_key=yoy_week(DEMO_WEEK)).set_index("key")
    assert yoy_week(DEMO_WEEK) == 202546
    changes = "".join(next(tp for tp in briefing.topics if tp.key == "changes").sentences)
    from data.judgement import describe_change
    for key, row in now.iterrows():
        assert format_value(row["previous"], row["unit"], "zh-CN") in changes
        said = describe_change(key, row["value"], row["previous"], "zh-CN")["text"]
        assert said in changes
        if row["change"] is not None and row["change"] == row["change"]:  # a change the old wording had
            assert said == format_change(row["change"], row["unit"], "zh-CN")
    yoy = "".join(next(tp for tp in briefing.topics if tp.key == "yoy").sentences)
    for key in YOY_KEYS:
        unit = now.loc[key, "unit"]
        change = week_on_week_change(now.loc[key, "value"], then.loc[key, "value"], unit)
        assert format_value(then.loc[key, "value"], unit, "zh-CN") in yoy
        said = describe_change(key, now.loc[key, "value"], then.loc[key, "value"], "zh-CN")["text"]
        assert said in yoy
        if change is not None:
            assert said == format_change(change, unit, "zh-CN")


def test_best_and_worst_units_by_name_and_hotspots(demo_engine, scope, briefing):
    from data import queries
    with demo_engine.connect() as conn:
        units = queries.fetch_child_metrics(conn, scope, region_code=DEMO_COUNTY, week_key=DEMO_WEEK,
                                            child_level="township", window=4)
    units_text = "".join(next(tp for tp in briefing.topics if tp.key == "units").sentences)
    worst, best = units.iloc[0], units.sort_values(["attention_index", "code"]).iloc[0]
    assert f"{worst['name']}（{worst['attention_index']:,.1f}）" in units_text
    assert f"{best['name']}（{best['attention_index']:,.1f}）" in units_text
    hot_text = "".join(next(tp for tp in briefing.topics if tp.key == "hotspots").sentences)
    assert units.iloc[0]["name"] in hot_text
    assert len(briefing.topics) >= 10 and all(tp.sentences for tp in briefing.topics)


def test_reporting_sentence_counts_the_villages_of_the_month_due(demo_engine, briefing):
    """W46 ends on 15 November: October's ledger was due on the 10th. The sentence counts
    the county's villages that booked in October straight from the raw rows, and names the
    townships whose villages did not."""
    with demo_engine.connect() as conn:
        villages = conn.execute(text("SELECT COUNT(*) FROM region WHERE level = 'village' "
                                     "AND code LIKE '431023%'")).scalar_one()
        reported = conn.execute(text("SELECT COUNT(DISTINCT village_code) FROM village_ledger WHERE "
                                     "village_code LIKE '431023%' AND entry_date BETWEEN '2026-10-01' "
                                     "AND '2026-10-31'")).scalar_one()
        missing_towns = set(conn.execute(text(
            "SELECT r.name FROM region r WHERE r.level = 'township' AND r.code LIKE '431023%' AND EXISTS ("
            "SELECT 1 FROM region v WHERE v.level = 'village' AND substr(v.code, 1, 9) = substr(r.code, 1, 9) "
            "AND NOT EXISTS (SELECT 1 FROM village_ledger x WHERE x.village_code = v.code "
            "AND x.entry_date BETWEEN '2026-10-01' AND '2026-10-31'))")).scalars())
    sentences = next(tp for tp in briefing.topics if tp.key == "disclosure").sentences
    line = next(s for s in sentences if s.startswith("数据报送"))
    assert f"2026年10月村级财务应报 {villages} 个村，已报送 {reported} 个" in line
    assert f"{villages - reported} 个村尚未报送" in line and 0 < villages - reported < villages
    lagging = next(s for s in sentences if s.startswith("报送完整率最低"))
    assert missing_towns and len([n for n in missing_towns if n in lagging]) == min(3, len(missing_towns))


def test_planted_complaint_surge_is_reported_as_a_spike(demo_engine, scope):
    """The demo plants a three-week complaint surge in one township (demo_truth): in its
    first week the briefing names that township among the spikes, in words and chart."""
    import datetime as dt

    from data.calendar import week_key
    from views.briefing import build_briefing
    with demo_engine.connect() as conn:
        row = conn.execute(text("SELECT region_code, start_date FROM demo_truth "
                                "WHERE kind = 'complaint_surge'")).first()
    assert row is not None, "the demo plants a complaint surge"
    code, start = row[0], row[1]
    start = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start)[:10])
    b = build_briefing(demo_engine, scope, DEMO_COUNTY, str(week_key(start)), "zh-CN")
    spikes = b.spikes[b.spikes["spike"]]
    assert code in set(spikes["code"])
    name = spikes.set_index("code").loc[code, "name"]
    assert name in "".join(next(tp for tp in b.topics if tp.key == "spikes").sentences)


def test_spikes_are_those_of_the_complaints_page(demo_engine, scope):
    """The briefing names the townships that /complaints lists as spiking in the same
    week, by the same rule, with the same counts and limits (no second spike rule)."""
    from data.rules.spikes import SpikeRule
    from views.briefing import build_briefing
    from views.complaints import hotspots_view
    rule = SpikeRule()
    with demo_engine.connect() as conn:
        start = conn.execute(text("SELECT start_date FROM demo_truth WHERE kind = 'complaint_surge'")).scalar_one()
    import datetime as dt

    from data.calendar import format_week, week_key
    start = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start)[:10])
    week = week_key(start)
    b = build_briefing(demo_engine, scope, DEMO_COUNTY, str(week), "zh-CN", rule=rule)
    page = hotspots_view(demo_engine, scope, {"region": DEMO_COUNTY, "week": format_week(week), "lang": "zh-CN"}, rule)
    page = page[(page["kind"] == "township") & page["weeks"].map(lambda w: week in w)]
    ours = b.spikes[b.spikes["spike"]].set_index("code")
    assert set(ours.index) == set(page["key"]) and len(ours) >= 1
    latest = page[page["week_key"] == week].set_index("key")
    for code, row in latest.iterrows():
        assert ours.loc[code, "received"] == row["count"] and ours.loc[code, "limit"] == row["limit"]
    text_ = "".join(next(tp for tp in b.topics if tp.key == "spikes").sentences)
    assert f"α = {rule.alpha:g}" in text_ and str(rule.baseline_weeks) in text_


def test_pptx_has_a_title_slide_and_at_least_eight_picture_slides(files):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE
    prs = Presentation(str(files["pptx"]))
    slides = list(prs.slides)
    assert len(slides) >= 9
    title_texts = [s.text_frame.text for s in slides[0].shapes if s.has_text_frame]
    assert any("永兴县" in tx and "2026-W46" in tx for tx in title_texts)
    with_pictures = [s for s in slides if any(sh.shape_type == MSO_SHAPE_TYPE.PICTURE for sh in s.shapes)]
    assert len(with_pictures) >= 8
    # text is editable text boxes, not baked into the pictures
    narrative = [sh for s in slides[1:] for sh in s.shapes if sh.name == "narrative"]
    assert len(narrative) == len(slides) - 1 and all(sh.text_frame.text for sh in narrative)
    headline = "".join(files["briefing"].topics[0].sentences)
    assert narrative[0].text_frame.text.replace("\n", "") == headline


def test_pdf_has_a_page_per_slide(files):
    body = files["pdf"].read_bytes()
    assert body.startswith(b"%PDF")
    assert len(PAGE_RE.findall(body)) == len(files["briefing"].topics) + 1


def test_progress_is_reported_in_order(files):
    percents = [p for p, _ in files["steps"]]
    assert percents == sorted(percents) and percents[-1] == 100
    assert {s.split(":")[0] for _, s in files["steps"]} >= {"query", "chart", "pptx", "pdf", "done"}


def test_out_of_scope_region_makes_no_briefing(demo_engine, tmp_path):
    from data.model.version import data_version
    from data.scope import Scope
    from exports.briefing import BriefingError
    from views.briefing import build_briefing
    from views.briefing_files import write_briefing
    assert build_briefing(demo_engine, Scope.of("110000000000"), DEMO_COUNTY, "2026-W46") is None
    with pytest.raises(BriefingError):
        write_briefing(demo_engine, Scope.of("110000000000"), DEMO_COUNTY, "2026-W46", "zh-CN",
                       {"pptx": tmp_path / "x.pptx"}, cache_dir=tmp_path, version=data_version(demo_engine))
    assert not (tmp_path / "x.pptx").exists()


def test_cli_briefing_writes_pptx_and_pdf(demo_db_url, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import cli
    monkeypatch.setenv("SUNSHINE_VAR_DIR", str(tmp_path / "var"))
    result = CliRunner().invoke(cli.app, ["briefing", "--week", "2026-W46", "--region", "431023",
                                          "--out", str(tmp_path / "w.pptx"), "--out", str(tmp_path / "w.pdf"),
                                          "--database-url", demo_db_url])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "w.pptx").stat().st_size > 50_000 and (tmp_path / "w.pdf").read_bytes()[:4] == b"%PDF"
    bad = CliRunner().invoke(cli.app, ["briefing", "--week", "2019-W01", "--out", str(tmp_path / "n.pptx"),
                                       "--database-url", demo_db_url])
    assert bad.exit_code != 0


def test_background_job_runs_once_and_serves_the_files(tmp_path):
    from exports import briefing_jobs
    calls = []

    def work(outputs, progress):
        calls.append(1)
        progress(50, "pptx")
        time.sleep(0.3)
        for path in outputs.values():
            Path(path).write_bytes(b"x")
    job = briefing_jobs.job_id(SCOPE, DEMO_COUNTY, "2026-W46", "zh-CN", "v1")
    first = briefing_jobs.start(tmp_path, job, work, filename_stem="永兴县_2026-W46", owner=list(SCOPE))
    second = briefing_jobs.start(tmp_path, job, work, filename_stem="永兴县_2026-W46", owner=list(SCOPE))  # joins
    assert first["state"] in ("queued", "running") and second["state"] in ("queued", "running")
    done = briefing_jobs.wait(tmp_path, job, timeout=10)
    assert done["state"] == "done" and calls == [1]
    assert all(Path(p).exists() for p in done["files"].values())
    again = briefing_jobs.start(tmp_path, job, work, filename_stem="永兴县_2026-W46", owner=list(SCOPE))  # reuses
    assert again["state"] == "done" and calls == [1]
    assert briefing_jobs.read_status(tmp_path, "nosuchjob")["state"] == "missing"
    assert briefing_jobs.read_status(tmp_path, job, owner=list(SCOPE))["state"] == "done"
    assert briefing_jobs.read_status(tmp_path, job, owner=["431021000000"])["state"] == "missing"
    with pytest.raises(ValueError):
        briefing_jobs.job_dir(tmp_path, "../etc")


def test_every_number_of_every_topic_comes_from_the_query_layer(demo_engine, scope, briefing):
    """Each number written in the narrative (all topics) is one the query layer returns for
    the region and week — a KPI, its previous or year-earlier value or change, a unit's
    measure (4 weeks or this week), a hotspot's index, a spike's count or limit — or a
    calendar token, a count of units, or a stated rule parameter. A number computed in
    the view alone (or typed into a sentence) fails here."""
    import pandas as pd

    from data import queries
    from data.indicators import week_on_week_change
    from data.intake.reporting import unit_ranking, village_reports
    from i18n.numbers import format_change, format_value
    from views.briefing import UNIT_WINDOW, yoy_week
    lang, kinds = "zh-CN", ("rate", "count", "index", "yuan", "per_10k")
    allowed: set[str] = set()

    def add(value, *units):
        if value is None or value != value:
            return
        for unit in units or kinds:
            allowed.add(format_value(value, unit, lang))
            allowed.add(format_change(value, unit, lang))
    with demo_engine.connect() as conn:
        now = queries.fetch_kpis(conn, scope, region_code=DEMO_COUNTY, week_key=DEMO_WEEK)
        then = queries.fetch_kpis(conn, scope, region_code=DEMO_COUNTY, week_key=yoy_week(DEMO_WEEK)).set_index("key")
        frames = [queries.fetch_child_metrics(conn, scope, region_code=DEMO_COUNTY, week_key=DEMO_WEEK,
                                              child_level="township", window=w) for w in (UNIT_WINDOW, 1)]
        reporting = unit_ranking(conn, village_reports(conn, scope, DEMO_COUNTY, "2026-10"))  # due by W46
    for total in (reporting["villages"].sum(), reporting["reported"].sum(),
                  reporting["villages"].sum() - reporting["reported"].sum()):
        add(int(total), "count")
    add(reporting["reported"].sum() / reporting["villages"].sum(), "rate")
    for unit in reporting.itertuples():
        add(unit.completeness, "rate"), add(int(unit.villages - unit.reported), "count")
    for row in now.itertuples():
        add(row.value, row.unit), add(row.previous, row.unit), add(row.change, row.unit)
        old = then.loc[row.key, "value"]
        add(old, row.unit), add(week_on_week_change(row.value, old, row.unit), row.unit)
    for frame in frames:
        for column in frame.columns:  # rate columns holding None are of object dtype
            for value in pd.to_numeric(frame[column], errors="coerce"):
                add(float(value))
            if column == "attention_index":
                allowed.update(f"{v:,.1f}" for v in frame[column].dropna())
        allowed.add(f"{frame['new_clue_amount'].sum():,.2f}")
        add(float(frame["new_clue_amount"].sum()), "yuan")
    for value in [*briefing.spikes.get("received", []), *briefing.spikes.get("limit", [])]:
        add(value, "count")
    allowed |= {str(n) for n in range(len(frames[0]) + 1)}  # "N 个乡镇"
    # the judgements' benchmarks (time progress, floors, peer medians) and each value's
    # distance to them in points, or its ratio to the peers' median
    from data.judgement import judgements, peer_median, year_share
    benchmarks = {"disbursement_rate_ytd": year_share(DEMO_WEEK)}
    for key, j in judgements().items():
        if j.benchmark in ("floor", "ceiling") and j.unit == "rate":
            benchmarks[key] = j.level
    for key, value in benchmarks.items():
        add(value, "rate")
        for frame in frames:
            for v in pd.to_numeric(frame.get(key, pd.Series(dtype=float)), errors="coerce").dropna():
                allowed.add(f"{abs(v - value) * 100:.1f}")
        allowed.add(f"{abs(float(now.set_index('key').loc[key, 'value'] or 0) - value) * 100:.1f}"
                    if key in set(now["key"]) else "")
    median = peer_median(frames[0], "complaints_per_10k")
    if median:
        add(median, "per_10k")
        allowed |= {f"{v / median:.1f}" for v in pd.to_numeric(frames[0]["complaints_per_10k"]).dropna()}
    # the week and its dates, the year-earlier week; the spike rule's parameters (8 weeks,
    # α, minimum count), the trend's 12 weeks, the ranking's attention-index line of 60
    allowed |= {briefing.period, briefing.week, "2025-W46", "0.001", "12", "60"}
    tokens = {n for value in allowed for n in _numbers(value)}
    text_ = "".join("".join(tp.sentences) for tp in briefing.topics)
    unknown = [(tp.key, n) for tp in briefing.topics for n in _numbers("".join(tp.sentences))
               if n not in tokens and n.lstrip("+−-") not in tokens]
    assert not unknown, unknown
    assert len(_numbers(text_)) > 60  # the narrative is full of figures, all accounted for


def test_the_clue_topic_counts_open_clues_near_and_past_their_deadline(briefing, demo_engine, scope):
    from data.queries.clues import deadline_counts
    from data.rules.library import active_library
    with demo_engine.connect() as conn:
        due = deadline_counts(conn, scope, active_library(conn), region=briefing.region)
    assert due["open"] >= 1 and briefing.clue_deadlines == due
    [topic] = [topic for topic in briefing.topics if topic.key == "clues"]
    assert f"办理中的问题线索 {due['open']} 条，其中临期 {due['near']} 条、超期 {due['overdue']} 条" in "".join(topic.sentences)


def test_every_chart_is_a_valid_plotly_figure(demo_engine, scope, briefing, tmp_path):
    """The charts are plain dicts built without plotly's validation (issue #16): plotly
    must accept every property of every one (go.Figure validates a dict strictly)."""
    import plotly.graph_objects as go

    from views.briefing import CHART_KEYS, briefing_figures
    figures = briefing_figures(briefing, engine=demo_engine, scope=scope, cache_dir=tmp_path, version="v")
    assert set(figures) == set(CHART_KEYS)
    for key, figure in figures.items():
        assert isinstance(figure, dict), key
        go.Figure(figure)  # raises on any invalid property
        assert figure["layout"]["meta"]["export"]["title"], key
