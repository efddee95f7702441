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
    )
