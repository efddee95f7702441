"""Where and when the demo plants its anomalies, chosen once before any table is built.

Each stage reads its targets from the `Plan` and reports what it planted as `demo_truth`
rows, so tests and detectors can check that every planted anomaly is visible in raw rows.
Targets lie under the scale's focus prefix (永兴县 at county scale, 郴州市 otherwise), so
the default dashboard region shows them.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from demo.context import Context
from demo.regions import Geo

SURGE_MULTIPLIER = 4.0
SPLIT_THRESHOLD = 5000.0  # yuan; expenses at or above need collective approval


@dataclass(frozen=True)
class OverdueDisclosure:
    """A finance disclosure a planted village publishes late (published None: not by as_of),
    and the day a planted expense of that village falls while it is overdue."""
    village: str
    period: str  # YYYY-MM
    due: dt.date
    published: dt.date | None
    spent_on: dt.date


@dataclass
class Plan:
    """Target regions and dates of the planted anomalies."""

    surge_township: str
    surge_start: dt.date
    stopped_village: str
    stop_date: dt.date
    split_village: str
    outlier_village: str
    lag_county: str
    lag_start: dt.date
    deceased_villages: list[str]
    relative_village: str
    duplicate_village: str
    project_village: str
    # villages whose expenses are made up (benford_first_digit), that spend while their
    # finance disclosure is long overdue (spending_disclosure_overdue), whose payments of
    # one period are held back (payment_overdue): picked from their own stream (timeliness_picks)
    fabricated_villages: list[str] = field(default_factory=list)
    overdue_disclosures: list[OverdueDisclosure] = field(default_factory=list)
    held_payment_villages: list[str] = field(default_factory=list)
    truth: list[dict] = field(default_factory=list)

    def add_truth(self, kind: str, region: str, subject: str = "", start=None, end=None,
                  **detail) -> None:
        """Record one planted anomaly (a demo_truth row)."""
        self.truth.append({"kind": kind, "region_code": region, "subject": str(subject),
                           "start_date": _iso(start), "end_date": _iso(end),
                           "detail": json.dumps(detail, ensure_ascii=False, default=str)})

    def truth_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.truth)
        frame.insert(0, "id", np.arange(1, len(frame) + 1))
        return frame


def _iso(value):
    if value is None:
        return None
    return str(np.datetime64(value, "D"))


def make_plan(ctx: Context, geo: Geo) -> Plan:
    """Pick distinct target villages/townships/county under the focus prefix."""
    rng = ctx.rng("plan")
    focus = ctx.spec["focus"]
    towns = geo.townships[geo.townships["code"].str.startswith(focus)]
    big = towns.sort_values(["population", "code"], ascending=[False, True]).head(
        max(1, len(towns) // 3))
    surge = str(big["code"].iloc[rng.integers(len(big))])
    villages = geo.villages[geo.villages["code"].str.startswith(focus)
                            & (geo.villages["township_code"] != surge)]
    picks = villages["code"].to_numpy()[rng.choice(len(villages), size=8, replace=False)]
    counties = geo.counties[geo.counties["code"].str.startswith(focus)]["code"].to_numpy()
    monday = ctx.as_of - dt.timedelta(days=6)
    return Plan(
        surge_township=surge, surge_start=monday - dt.timedelta(days=14),
        stopped_village=str(picks[0]), stop_date=monday - dt.timedelta(days=63),
        split_village=str(picks[1]), outlier_village=str(picks[2]),
        lag_county=str(counties[rng.integers(len(counties))]),
        lag_start=dt.date(ctx.as_of.year, 1, 1),
        deceased_villages=[str(picks[3]), str(picks[4])], relative_village=str(picks[5]),
        duplicate_village=str(picks[6]), project_village=str(picks[7]),
        **timeliness_picks(ctx, villages[~villages["code"].isin(picks)]),
    )


# planted spending happens this many days into a disclosure's overdue time (past 30 days)
OVERDUE_SPENT_DAY = 34


def timeliness_picks(ctx: Context, villages: pd.DataFrame) -> dict:
    """Two fabricated-expense villages, two villages spending while a finance disclosure
    is overdue, two large villages with held-back payments: six more distinct villages
    from a stream of their own, so the other targets stay where they were.

    The disclosure plants: one village skips the finance disclosure due about four months
    before as_of (never published); the other publishes three monthly ones together 40
    days after the last of them fell due."""
    rng = ctx.rng("plan_timeliness")
    large = villages[villages["population"] >= villages["population"].median()]
    held = large["code"].to_numpy()[rng.choice(len(large), size=2, replace=False)]
    rest = villages[~villages["code"].isin(held)]["code"].to_numpy()
    fabricated, skipping, catching_up = np.split(rest[rng.choice(len(rest), size=5, replace=False)], [2, 3])
    due = [_finance_due(ctx.as_of, months) for months in (4, 7, 6, 5)]
    items = [OverdueDisclosure(str(skipping[0]), *due[0], None, due[0][1] + dt.timedelta(days=OVERDUE_SPENT_DAY))]
    published = due[3][1] + dt.timedelta(days=40)
    items += [OverdueDisclosure(str(catching_up[0]), period, day, published, day + dt.timedelta(days=OVERDUE_SPENT_DAY))
              for period, day in due[1:]]
    return {"fabricated_villages": [str(v) for v in fabricated], "overdue_disclosures": items,
            "held_payment_villages": [str(v) for v in held]}


def _finance_due(as_of: dt.date, months_back: int) -> tuple[str, dt.date]:
    """(period, due date) of the monthly finance disclosure due `months_back` months
    before as_of's month: the period is the month before, due on the 10th."""
    index = as_of.year * 12 + as_of.month - 1 - months_back
    period = index - 1
    return f"{period // 12}-{period % 12 + 1:02d}", dt.date(index // 12, index % 12 + 1, 10)
