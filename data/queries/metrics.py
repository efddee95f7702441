"""Overview-page metrics: KPIs, per-child metrics with the attention index, trend.

Reads ROLLUPS only (plus the region dimension), filtered in SQL by week and by the
user's scope narrowed to the requested region (code ranges on township_code, which hit
the (week_key, township_code) primary keys). Sums happen in SQL; rates in pandas with
data.indicators (None when the denominator is 0).
"""
from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Float, Table, case, func, select, type_coerce

from data import indicators as ind
from data.calendar import previous_week, weeks_back
from data.codes import PREFIX_LEN, level_of
from data.judgement import Context, judgement_of, reasons_for
from data.model.rollups import (
    RollupClueTW,
    RollupComplaintTW,
    RollupDisclosureTW,
    RollupPaymentTW,
    RollupReportingTW,
    RollupWarningTW,
)
from data.queries.regions import fetch_regions_at
from data.scope import Scope, narrow, scope_condition

_c, _p, _d = RollupComplaintTW.__table__, RollupPaymentTW.__table__, RollupDisclosureTW.__table__
_k, _w, _r = RollupClueTW.__table__, RollupWarningTW.__table__, RollupReportingTW.__table__

# table -> {output name: summed expression}
MEASURES: dict[Table, dict[str, ColumnElement[Any]]] = {
    _c: {m: _c.c[m] for m in ("received", "accepted", "repeats", "closed", "replied", "rated",
                              "satisfied", "due", "due_on_time", "open_overdue_end")},
    _p: {m: _p.c[m] for m in ("paid_amount", "due_count", "paid_late_count",
                              "paid_amount_ytd", "allocated_amount_ytd")},
    _d: {"disclosure_due": _d.c.due, "disclosure_on_time": _d.c.on_time},
    _k: {"new_clues": _k.c.flagged, "new_clue_amount": _k.c.amount,
         "clues_verified": _k.c.verified, "clues_filed": _k.c.filed},
    _w: {"warnings_raised": _w.c.raised, "warnings_closed": _w.c.closed,
         "open_warnings": _w.c.open_end,
         "open_red_warnings": case((_w.c.level == "red", _w.c.open_end), else_=0)},
    _r: {"villages": _r.c.villages, "villages_reported": _r.c.villages_reported},
}
# What the attention index and its reasons read (the hot lists rank every township of a
# province: summing only these is a third of the work of MEASURES).
ATTENTION_MEASURES: dict[Table, dict[str, ColumnElement[Any]]] = {
    _c: {m: MEASURES[_c][m] for m in ("received", "repeats", "due", "due_on_time")},
    _p: {m: MEASURES[_p][m] for m in ("paid_amount_ytd", "allocated_amount_ytd")},
    _d: MEASURES[_d],
    _k: {m: MEASURES[_k][m] for m in ("new_clues", "new_clue_amount")},
}

# Stocks are read at the window's last week; every other measure is summed over it.
STOCKS = ("open_overdue_end", "paid_amount_ytd", "allocated_amount_ytd", "open_warnings",
          "open_red_warnings", "villages", "villages_reported")
ALL_MEASURES = [name for spec in MEASURES.values() for name in spec]
KPI_KEYS = ("complaints_received", "on_time_completion_rate", "satisfaction_rate",
            "disbursement_rate_ytd", "disclosure_on_time_rate", "new_clues",
            "open_red_warnings", "reporting_completeness")
DEFAULT_CHILD = {"province": "county", "city": "county", "county": "township"}
# Villages publish monthly, so most single weeks have nothing due: the disclosure KPI is
# taken over the 5 weeks ending with the week, which always hold one monthly round.
KPI_WINDOWS = {"disclosure_on_time_rate": 5}


def _sum_table(conn, table, spec, scope, weeks, key_len, last_week) -> pd.DataFrame:
    """SUM of each measure of one rollup, grouped by week_key (and code prefix `key`).

    With `last_week`, weeks are collapsed: flows summed over `weeks`, STOCKS only at
    `last_week` (CASE in SQL), one row per key.
    """
    keys = [] if last_week else [table.c.week_key]
    if key_len:
        keys.append(func.substr(table.c.township_code, 1, key_len).label("key"))

    def total(name, expr):
        if last_week and name in STOCKS:
            expr = case((table.c.week_key == last_week, expr), else_=0)
        return type_coerce(func.sum(expr), Float).label(name)

    stmt = (select(*keys, *[total(n, e) for n, e in spec.items()])
            .where(scope_condition(table.c.township_code, scope), table.c.week_key.in_(weeks))
            .group_by(*keys))
    frame = pd.DataFrame.from_records([tuple(r) for r in conn.execute(stmt)],
                                      columns=[k.name for k in keys] + list(spec))
    index = [k.name for k in keys]
    return frame.set_index(index) if index else frame


def collect_measures(conn, scope: Scope, weeks, key_len: int | None = None,
                     last_week: int | None = None, measures: dict | None = None) -> pd.DataFrame:
    """All measures (or those of `measures`, a part of MEASURES) for the scope, zeros
    filled: per week_key (and `key` = code prefix of `key_len` digits), or collapsed over
    `weeks` when `last_week` is given."""
    parts = [_sum_table(conn, table, spec, scope, list(weeks), key_len, last_week)
             for table, spec in (measures or MEASURES).items()]
    frame = pd.concat(parts, axis=1).fillna(0.0)
    return frame.reset_index() if frame.index.name or frame.index.nlevels > 1 else frame


RATES = {  # rate key -> (indicator function, numerator measure, denominator measure)
    "acceptance_rate": (ind.acceptance_rate, "accepted", "received"),
    "on_time_completion_rate": (ind.on_time_completion_rate, "due_on_time", "due"),
    "reply_rate": (ind.reply_rate, "replied", "closed"),
    "satisfaction_rate": (ind.satisfaction_rate, "satisfied", "rated"),
    "repeat_complaint_rate": (ind.repeat_complaint_rate, "repeats", "received"),
    "disbursement_rate_ytd": (ind.disbursement_rate, "paid_amount_ytd", "allocated_amount_ytd"),
    "disclosure_on_time_rate": (ind.disclosure_on_time_rate, "disclosure_on_time", "disclosure_due"),
    "reporting_completeness": (ind.reporting_completeness, "villages_reported", "villages"),
    "clue_verification_rate": (ind.clue_verification_rate, "clues_verified", "new_clues"),
    "filing_rate": (ind.filing_rate, "clues_filed", "clues_verified"),
    "warning_closure_rate": (ind.warning_closure_rate, "warnings_closed", "warnings_raised"),
}


def rates_of(totals: dict) -> dict:
    """Every rate (None on 0 ÷ 0) and complaints_received for one dict of summed measures."""
    out = {key: fn(totals[num], totals[den]) for key, (fn, num, den) in RATES.items()}
    return {**totals, "complaints_received": totals["received"], **out}


def add_rates(df: pd.DataFrame) -> pd.DataFrame:
    """The same rates as `rates_of`, as columns of a frame of summed measures (those
    whose measures it has)."""
    new = {key: fn(df[num], df[den]) for key, (fn, num, den) in RATES.items()
           if num in df and den in df}
    return df.assign(complaints_received=df["received"], **new)


def fetch_kpis(conn, scope: Scope, *, region_code: str, week_key: int) -> pd.DataFrame:
    """One row per KPI_KEYS: key, value, previous (the week before), change, unit, and
    the cases behind the value (numerator, sample: the measures its judgement names) and
    its benchmark (data.judgement: the time progress for disbursement, else None).

    change = week-on-week: percentage points for rates, relative % for counts.
    No rows when the region is outside the scope.
    """
    cols = ["key", "value", "previous", "change", "unit", "numerator", "sample", "benchmark"]
    eff = narrow(scope, region_code)
    if not eff:
        return pd.DataFrame(columns=cols)
    prev = previous_week(week_key)
    found = collect_measures(conn, eff, [prev, week_key]).set_index("week_key")
    empty = dict.fromkeys(ALL_MEASURES, 0.0)
    now, before = (rates_of({**(found.loc[w].to_dict() if w in found.index else empty),
                             **_disclosure_window(conn, eff, w)})
                   for w in (week_key, prev))
    rows = []
    context = Context(week_key=week_key)  # the region alone: time progress, floors, zero
    for key in KPI_KEYS:
        unit = ind.INDICATORS[key].unit
        value, previous = _plain(now[key]), _plain(before[key])
        j = judgement_of(key)
        rows.append((key, value, previous, ind.week_on_week_change(value, previous, unit), unit,
                     _plain(now.get(j.numerator)) if j.numerator else None,
                     _plain(now.get(j.sample)) if j.sample else None, context.benchmark(key)))
    return pd.DataFrame(rows, columns=cols, dtype=object)


def _disclosure_window(conn, scope: Scope, week_key: int) -> dict:
    """Disclosure measures summed over the KPI window ending with `week_key`."""
    weeks = weeks_back(week_key, KPI_WINDOWS["disclosure_on_time_rate"])
    frame = _sum_table(conn, _d, MEASURES[_d], scope, weeks, None, week_key)
    return {name: float(frame[name].iloc[0] or 0) if len(frame) else 0.0 for name in MEASURES[_d]}


def _plain(value):
    return None if value is None or pd.isna(value) else float(value)


def fetch_child_metrics(conn, scope: Scope, *, region_code: str, week_key: int,
                        child_level: str | None = None, window: int = 4,
                        measures: dict | None = None, reasons: bool = True) -> pd.DataFrame:
    """Per visible child region: measures, rates, attention components and index.

    Children: counties of a province or city, townships of a county (or `child_level`).
    Components cover the `window` weeks ending at `week_key` (flows summed, YTD and
    reporting at the last week): complaints_per_10k, overdue_rate = 1 − on-time rate,
    repeat_complaint_rate, new_clues, new_clue_amount, disbursement_lag = 1 − YTD
    disbursement rate, disclosure_lateness = 1 − disclosure on-time rate. Sorted by
    attention_index (desc); `reasons` holds the verdicts of up to three components that
    raise the index and are judged watch or problem (data.judgement.reasons_for). `measures` (e.g.
    ATTENTION_MEASURES) limits the measures summed, and so the rates given; `reasons=False`
    leaves the reasons out (empty lists) for callers that never show them.
    """
    eff = narrow(scope, region_code)
    level = (child_level or DEFAULT_CHILD.get(level_of(region_code))) if eff else None
    children = fetch_regions_at(conn, eff, region_code=region_code, level=level) if level else None
    if level is None or children is None or children.empty:
        return pd.DataFrame(columns=["code", "name", "population", "attention_index", "reasons"])
    n = PREFIX_LEN[level]
    measures = measures or MEASURES
    totals = collect_measures(conn, eff, weeks_back(week_key, window), key_len=n,
                              last_week=week_key, measures=measures)
    totals["code"] = totals["key"].str.ljust(12, "0")
    merged = children.merge(totals.drop(columns="key"), on="code", how="left")
    names = [name for spec in measures.values() for name in spec]
    merged[names] = merged[names].fillna(0.0)
    scored = ind.attention_index(_components(add_rates(merged)))
    scored["reasons"] = reasons_for(scored, Context(week_key=week_key)) if reasons else [[] for _ in range(len(scored))]
    return scored.sort_values(["attention_index", "code"], ascending=[False, True],
                              ignore_index=True)


def _components(df: pd.DataFrame) -> pd.DataFrame:
    """The attention-index component columns (see indicators.ATTENTION_WEIGHTS)."""
    out = df.copy()
    out["complaints_per_10k"] = ind.complaints_per_10k(out.received, out.population)
    out["overdue_rate"] = out.on_time_completion_rate.map(lambda v: None if v is None else 1 - v)
    out["disbursement_lag"] = out.disbursement_rate_ytd.map(lambda v: None if v is None else 1 - v)
    out["disclosure_lateness"] = out.disclosure_on_time_rate.map(
        lambda v: None if v is None else 1 - v)
    return out


def fetch_hot_townships(conn, scope: Scope, *, region_code: str, week_key: int, n: int = 10,
                        window: int = 4) -> pd.DataFrame:
    """The `n` visible townships under the region with the highest attention index,
    compared among all visible townships under it; with their reasons."""
    metrics = fetch_child_metrics(conn, scope, region_code=region_code, week_key=week_key,
                                  child_level="township", window=window, measures=ATTENTION_MEASURES)
    return metrics.head(n).reset_index(drop=True)


def fetch_trend(conn, scope: Scope, *, region_code: str, week_key: int, weeks: int = 12) -> pd.DataFrame:
    """One row per week (oldest first) of the `weeks` ending at `week_key`: counts and rates.

    Columns week_key, complaints_received, on_time_completion_rate, satisfaction_rate,
    new_clues, disbursement_rate_ytd, disclosure_on_time_rate, reporting_completeness,
    open_red_warnings, ... (every measure and rate). Empty outside the scope.
    """
    eff = narrow(scope, region_code)
    keys = weeks_back(week_key, weeks)
    if not eff:
        return pd.DataFrame(columns=["week_key", *KPI_KEYS])
    frame = collect_measures(conn, eff, keys).set_index("week_key")
    frame = frame.reindex(keys, fill_value=0.0).rename_axis("week_key").reset_index()
    frame["week_key"] = frame["week_key"].astype(int)
    return add_rates(frame)
