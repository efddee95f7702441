"""Rollups reconcile with the raw rows (to the cent), edge weeks, partial rebuilds, and
the same build on PostgreSQL."""
from __future__ import annotations

import datetime as dt
import uuid

import pandas as pd
import pytest
from sqlalchemy import create_engine, insert, text

from data.calendar import week_key
from data.codes import code_range
from data.model import ALL_TABLES, ROLLUP_TABLES, metadata
from data.model.schema import VillageLedger
from data.queries import fetch_kpis
from data.rollups import CalendarGap, bounds, rebuild_all, rebuild_for_townships, township_runs
from data.scope import Scope
from tests.support.small import PROV, T1, T2, T3, V31, WEEK, load_small

PG_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"


def _df(conn, sql):
    return pd.DataFrame(conn.execute(text(sql)).mappings().all())


def _cents(series):
    return series.map(lambda v: round(float(v) * 100))


def _township(codes):
    return codes.str[:9] + "000"


def test_models_expose_every_table():
    names = {t.name for t in ALL_TABLES}
    assert {t.name for t in ROLLUP_TABLES} <= names and "complaint" in names
    assert all(t.name in metadata.tables for t in ROLLUP_TABLES)


def test_ledger_reconciles_by_township_month(conn):
    raw = _df(conn, "SELECT village_code, entry_date, amount FROM village_ledger")
    raw["township_code"] = _township(raw.village_code)
    raw["month_key"] = raw.entry_date.astype(str).str[:7].str.replace("-", "").astype(int)
    want = raw.groupby(["township_code", "month_key"]).amount.sum().pipe(_cents)
    got = _df(conn, "SELECT township_code, month_key, SUM(amount) AS amount FROM rollup_ledger_tm"
                    " GROUP BY township_code, month_key").set_index(["township_code", "month_key"])
    assert _cents(got.amount).to_dict() == want.to_dict()
    assert want[(T2, 202510)] == 30  # 0.10 + 0.20 is 30 cents, not 30.000000000000004


def test_payments_reconcile_by_township_week(conn):
    raw = _df(conn, "SELECT village_code, amount, due_date, paid_date FROM fund_payment")
    raw["township_code"] = _township(raw.village_code)
    got = _df(conn, "SELECT * FROM rollup_payment_tw").set_index(["township_code", "week_key"])
    for date_col, measure in (("paid_date", "paid_amount"), ("due_date", "due_amount")):
        rows = raw.dropna(subset=[date_col]).copy()
        rows["week_key"] = pd.to_datetime(rows[date_col]).map(lambda d: week_key(d.date()))
        want = rows.groupby(["township_code", "week_key"]).amount.sum().pipe(_cents)
        nonzero = _cents(got[measure])[lambda s: s != 0]
        assert nonzero.to_dict() == want.to_dict()


def test_complaints_reconcile_by_township_week(conn):
    raw = _df(conn, "SELECT village_code, received_at FROM complaint")
    raw["week_key"] = pd.to_datetime(raw.received_at).map(lambda d: week_key(d.date()))
    want = raw.groupby([_township(raw.village_code), "week_key"]).size()
    got = _df(conn, "SELECT township_code, week_key, received FROM rollup_complaint_tw"
                    " WHERE received > 0").set_index(["township_code", "week_key"]).received
    assert got.to_dict() == dict(want.items())
    twcc = _df(conn, "SELECT SUM(received) r, SUM(due) d FROM rollup_complaint_twcc").iloc[0]
    tw = _df(conn, "SELECT SUM(received) r, SUM(due) d FROM rollup_complaint_tw").iloc[0]
    assert twcc.to_dict() == tw.to_dict() == {"r": 7, "d": 7}


def _one(conn, sql, **params):
    return conn.execute(text(sql), params).scalar()


def test_state_measures_at_week_end(conn):
    overdue = "SELECT open_overdue_end FROM rollup_complaint_tw WHERE township_code = :t AND week_key = :w"
    assert _one(conn, overdue, t=T1, w=202539) == 0  # due on Sunday Sep 28: not yet overdue
    assert _one(conn, overdue, t=T1, w=202540) == 1
    assert _one(conn, overdue, t=T1, w=202541) == 0  # closed Oct 9
    assert _one(conn, overdue, t=T2, w=WEEK) == 1  # due Sat Feb 28, still open
    assert _one(conn, overdue, t=T1, w=WEEK) == 0  # closed Sun Mar 1 = week end
    red = ("SELECT open_end FROM rollup_warning_tw WHERE township_code = :t AND week_key = :w"
           " AND level = 'red'")
    assert _one(conn, red, t=T1, w=WEEK) == 1 and _one(conn, red, t=T3, w=WEEK) == 0


def test_year_to_date_edges(conn):
    ytd = ("SELECT paid_amount, paid_amount_ytd, allocated_amount_ytd, ytd_year FROM rollup_payment_tw"
           " WHERE township_code = :t AND week_key = :w")
    w01 = conn.execute(text(ytd), dict(t=T1, w=202601)).one()
    # 2026-W01 runs Dec 29 2025 - Jan 4 2026: 700.00 paid Dec 30 is 2025 money.
    assert round(w01.paid_amount, 2) == 799.99 and round(w01.paid_amount_ytd, 2) == 99.99
    assert w01.allocated_amount_ytd == 10000 and w01.ytd_year == 2026  # advance allocation
    w52 = conn.execute(text(ytd), dict(t=T1, w=202552)).one()
    assert w52.allocated_amount_ytd == 8000 and w52.ytd_year == 2025


def test_calendar_gap_is_a_clear_error(conn):
    conn.execute(insert(VillageLedger.__table__).values(
        id=99, village_code=V31, entry_date=dt.date(2026, 6, 1), direction="income",
        category="x", amount=1))
    with pytest.raises(CalendarGap, match="fill_calendar"):
        rebuild_all(conn)


def _snapshot(conn):
    out = {}
    for table in ROLLUP_TABLES:
        df = _df(conn, f"SELECT * FROM {table.name}")
        out[table.name] = df.sort_values(list(df.columns)).reset_index(drop=True) if len(df) else df
    return out


def test_rebuild_for_townships_matches_full_rebuild(conn):
    conn.execute(insert(VillageLedger.__table__).values(
        id=99, village_code=V31, entry_date=dt.date(2026, 2, 24), direction="income",
        category="x", amount=12.34))
    conn.execute(text("UPDATE complaint SET closed_at = NULL WHERE id = 4"))
    rebuild_for_townships(conn, [T3])
    partial = _snapshot(conn)
    rebuild_all(conn)
    full = _snapshot(conn)
    for name in full:
        pd.testing.assert_frame_equal(partial[name], full[name], check_dtype=False)


def test_new_weeks_rebuild_the_dense_rollups_of_every_township(conn):
    """An entry after the data's last week, in T3 only: every township's dense rows (a row
    per township and week) reach the new week, as a full rebuild makes them."""
    entry = {"id": 99, "village_code": V31, "entry_date": dt.date(2026, 3, 30), "direction": "income",
             "category": "x", "amount": 12.34}
    before = _one(conn, "SELECT MAX(week_key) FROM rollup_reporting_tw")
    conn.execute(insert(VillageLedger.__table__).values(**entry))
    bounds.widen(conn, bounds.frame_bounds("village_ledger", pd.DataFrame([entry])))
    rebuild_for_townships(conn, [T3], {"village_ledger"})
    partial = _snapshot(conn)
    assert _one(conn, "SELECT MAX(week_key) FROM rollup_reporting_tw") == week_key(entry["entry_date"]) > before
    assert _one(conn, f"SELECT COUNT(*) FROM rollup_complaint_tw WHERE township_code = '{T1}' "
                      f"AND week_key = {week_key(entry['entry_date'])}") == 1
    rebuild_all(conn)
    full = _snapshot(conn)
    for name in full:
        pd.testing.assert_frame_equal(partial[name], full[name], check_dtype=False)


def test_township_runs_join_neighbours_into_one_range(conn):
    towns = list(conn.execute(text("SELECT code FROM region WHERE level = 'township' ORDER BY code")).scalars())
    assert towns == [T1, T2, T3]
    assert township_runs(conn, [T1, T2]) == [(T1[:9] + "000", T2[:9] + "999")]
    assert township_runs(conn, [T1, T3]) == [code_range(T1), code_range(T3)]
    # a county's own cases roll up under its code: a range of their own
    assert township_runs(conn, ["431024000000", T3]) == [code_range("431024000000"[:9] + "000"), code_range(T3)]


def test_rebuild_does_not_commit(small_engine):
    with small_engine.connect() as c:
        with c.begin() as txn:
            c.execute(text("DELETE FROM complaint"))
            rebuild_all(c)
            assert _one(c, "SELECT COUNT(*) FROM rollup_complaint_twcc") == 0
            txn.rollback()
        assert _one(c, "SELECT COUNT(*) FROM rollup_complaint_twcc") > 0


@pytest.fixture(scope="module")
def pg_engine():
    try:
        admin = create_engine(PG_URL)
        with admin.begin() as c:
            schema = f"t_{uuid.uuid4().hex[:10]}"
            c.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:
        pytest.skip(f"PostgreSQL at {PG_URL} unreachable: {exc.__class__.__name__}")
    engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    yield engine
    engine.dispose()
    with admin.begin() as c:
        c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def test_postgres_build_matches_sqlite(pg_engine, conn):
    metadata.create_all(pg_engine)
    with pg_engine.begin() as pg:
        load_small(pg)
    with pg_engine.connect() as pg:
        assert _one(pg, "SELECT current_schema()").startswith("t_")
        theirs, ours = _snapshot(pg), _snapshot(conn)
        for name in ours:
            a, b = (df.map(lambda v: round(float(v), 2) if not isinstance(v, str) else v)
                    for df in (theirs[name], ours[name]))
            pd.testing.assert_frame_equal(a, b, check_dtype=False, obj=name)
        kpis = [fetch_kpis(x, Scope.of(PROV), region_code=PROV, week_key=WEEK) for x in (pg, conn)]
        pd.testing.assert_frame_equal(*kpis)
