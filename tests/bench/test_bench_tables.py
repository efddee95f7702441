"""The benchmark's pure parts: callback rounds, the page-visit table, the SQLite/PostgreSQL
table and the PostgreSQL reachability check (no browser, no served app)."""
from __future__ import annotations

import math

from typer.testing import CliRunner

from bench.page_ready import (
    BUDGET_COLD_MS,
    BUDGET_WARM_MS,
    PAGE_COLUMNS,
    PageRow,
    Visit,
    callback_rounds,
    page_table_rows,
    visit_of,
)
from bench.run import postgres_problem, side_by_side_rows, with_psycopg2
from cli import app


def test_no_requests_is_no_round():
    assert callback_rounds([]) == 0


def test_requests_sent_together_are_one_round():
    assert callback_rounds([(0, 50), (1, 300), (2, 120)]) == 1


def test_a_request_sent_after_a_response_is_one_round_deeper():
    # the layout's callbacks, then two fired by the first answers, then one fired by those
    spans = [(0, 100), (1, 80), (110, 200), (115, 400), (410, 500)]
    assert callback_rounds(spans) == 3


def test_rounds_follow_the_deepest_answer_not_the_count_of_waves():
    # A and B together; A answers, C goes out; B answers, D goes out: D is as deep as C
    spans = [(0, 100), (0, 300), (110, 500), (310, 350)]
    assert callback_rounds(spans) == 2


def test_a_request_sent_at_the_moment_an_answer_arrives_is_after_it():
    assert callback_rounds([(0, 100), (100, 150)]) == 2
    assert callback_rounds([(0, 100), (99.9, 150)]) == 1


def test_rounds_do_not_depend_on_the_order_given():
    spans = [(410, 500), (115, 400), (0, 100), (110, 200), (1, 80)]
    assert callback_rounds(spans) == 3


def _result(calls, ready=1000.0, charts=1200.0):
    return {"readyAt": ready, "chartsAt": charts, "calls": calls, "jsTransfer": 2048, "jsDecoded": 4096}


def test_a_visit_counts_only_the_requests_started_before_ready():
    visit = visit_of(_result([[0, 100], [150, 300], [1500, math.inf]]))
    assert (visit.requests, visit.rounds) == (2, 2)
    assert (visit.ready_ms, visit.charts_ms, visit.js_transfer, visit.js_decoded) == (1000, 1200, 2048, 4096)


def test_a_page_rendered_in_the_layout_has_no_request_and_no_round():
    visit = visit_of(_result([]))
    assert (visit.requests, visit.rounds) == (0, 0)


def _visit(ready, charts, requests=3, rounds=1, transfer=1024 * 100, decoded=1024 * 300):
    return Visit(ready, charts, transfer, decoded, requests, rounds)


def test_the_page_table_shows_medians_and_judges_charts_drawn_against_both_budgets():
    cold = [_visit(900, 1000), _visit(5000, 9000), _visit(950, 1100), _visit(800, 1050), _visit(1000, 1400)]
    warm = [_visit(300, 400, transfer=0), _visit(310, 420, transfer=0), _visit(2000, 3000, transfer=0)]
    (cells,) = page_table_rows([PageRow("/funds", cold, warm)])
    assert len(cells) == len(PAGE_COLUMNS)
    assert cells[:5] == ("/funds", "950", "1100", "310", "420")
    assert cells[5:9] == ("100 / 300", "0", "3", "1")
    assert cells[-2:] == (f"{BUDGET_COLD_MS} / {BUDGET_WARM_MS}", "✓")


def test_a_page_over_either_budget_is_not_ok():
    fast = [_visit(100, 200)] * 5
    too_slow_cold = [_visit(100, BUDGET_COLD_MS + 1)] * 5
    too_slow_warm = [_visit(100, BUDGET_WARM_MS + 1)] * 5
    rows = page_table_rows([PageRow("/a", too_slow_cold, fast), PageRow("/b", fast, too_slow_warm),
                            PageRow("/c", [_visit(100, BUDGET_COLD_MS)] * 5, [_visit(100, BUDGET_WARM_MS)] * 5)])
    assert [cells[-1] for cells in rows] == ["✗", "✗", "✓"]


def test_side_by_side_joins_on_callback_and_case():
    lite = [("funds.x", "uncached", 10.0, 20.0, 150), ("funds.x", "cached", 1.0, 2.0, 30),
            ("map.y", "uncached", 100.0, 140.0, 150)]
    pg = [("funds.x", "cached", 3.0, 40.0, 30), ("funds.x", "uncached", 50.0, 60.0, 150),
          ("pg.only", "uncached", 5.0, 6.0, 150)]
    rows = side_by_side_rows(lite, pg)
    assert rows == [
        ("funds.x", "uncached", "10.0", "20.0", "50.0", "60.0", "150", "✓"),
        ("funds.x", "cached", "1.0", "2.0", "3.0", "40.0", "30", "✗"),  # PostgreSQL's p95 over
        ("map.y", "uncached", "100.0", "140.0", "—", "—", "150", "✓"),
        ("pg.only", "uncached", "—", "—", "5.0", "6.0", "150", "✓"),
    ]


def test_side_by_side_without_postgres_rows_is_the_sqlite_table():
    lite = [("a", "uncached", 10.0, 200.0, 150)]
    assert side_by_side_rows(lite, []) == [("a", "uncached", "10.0", "200.0", "—", "—", "150", "✗")]


def test_postgres_urls_get_the_installed_driver():
    assert with_psycopg2("postgresql://u@h:5432/db") == "postgresql+psycopg2://u@h:5432/db"
    assert with_psycopg2("postgresql+psycopg2://u@h/db") == "postgresql+psycopg2://u@h/db"
    assert with_psycopg2("sqlite:///x.db") == "sqlite:///x.db"


def test_an_unreachable_or_wrong_postgres_url_is_reported_not_raised():
    assert "not a PostgreSQL URL" in (postgres_problem("sqlite:///x.db") or "")
    assert "not a database URL" in (postgres_problem("::nonsense") or "")
    assert postgres_problem("postgresql+psycopg2://postgres@127.0.0.1:1/sunshine_bench")  # nothing listens on 1


def test_bench_help_documents_the_page_and_postgres_options():
    result = CliRunner().invoke(app, ["bench", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for option in ("--visits", "--postgres", "--no-postgres", "--pages", "--no-callbacks"):
        assert option in result.output


def test_a_visit_that_timed_out_has_infinite_times_and_shows_as_a_timeout():
    visit = visit_of({**_result([[0, 100], [150, math.inf]]), "readyAt": None, "chartsAt": None}, timed_out=True)
    assert (visit.ready_ms, visit.charts_ms, visit.requests) == (math.inf, math.inf, 2)
    slow = [visit] * 3 + [_visit(100, 200)] * 2  # the median is a timeout
    (cells,) = page_table_rows([PageRow("/briefing", slow, [_visit(100, 200)])])
    assert cells[1:3] == ("timeout", "timeout") and cells[-1] == "✗"
