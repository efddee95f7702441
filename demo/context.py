"""Shared parameters of one demo run: scale, seed, time window and random streams.

Every random draw comes from `Context.rng(name, *keys)`, a numpy Generator seeded from
(seed, crc32(name), *keys). Streams are named per table or per region, so adding a draw
to one table never shifts the numbers of another, and the same seed + scale + as_of gives
the same database.
"""
from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

import numpy as np

# Per scale: official root adcode to load, the region actually kept, the number of
# townships and villages to create in total, and the focus prefix planted anomalies use.
SCALES = {
    "county": dict(load="431000", keep="431023", townships=15, villages=220, focus="431023"),
    "city": dict(load="431000", keep="4310", townships=163, villages=2400, focus="4310"),
    "province": dict(load="430000", keep="43", townships=1900, villages=24000, focus="4310"),
}
WEEKS = 104
# Real Spring Festival (春节) dates; the complaint and ledger series dip around them.
SPRING_FESTIVAL = {
    2024: dt.date(2024, 2, 10), 2025: dt.date(2025, 1, 29), 2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6), 2028: dt.date(2028, 1, 26), 2029: dt.date(2029, 2, 13),
}
GENERATED_WITH = "data.demo v1"


def default_as_of(today: dt.date | None = None) -> dt.date:
    """The Sunday ending the latest complete ISO week before `today` (default: today)."""
    today = today or dt.date.today()
    return today - dt.timedelta(days=today.isoweekday())


@dataclass(frozen=True)
class Context:
    """Immutable run parameters; `start` is the Monday of the first of the 104 weeks."""

    scale: str
    seed: int
    as_of: dt.date
    batch_id: int = 1

    @property
    def spec(self) -> dict:
        return SCALES[self.scale]

    @property
    def start(self) -> dt.date:
        return self.as_of - dt.timedelta(days=7 * WEEKS - 1)

    @property
    def start64(self) -> np.datetime64:
        return np.datetime64(self.start, "D")

    @property
    def end64(self) -> np.datetime64:
        return np.datetime64(self.as_of, "D")

    @property
    def root_code(self) -> str:
        return self.spec["keep"].ljust(12, "0")

    def rng(self, name: str, *keys: int | str) -> np.random.Generator:
        """An independent, reproducible random stream for `name` (and region keys)."""
        ints = [int(k) if str(k).isdigit() else zlib.crc32(str(k).encode()) for k in keys]
        return np.random.default_rng([self.seed, zlib.crc32(name.encode()), *ints])

    def week_starts(self) -> np.ndarray:
        """Mondays of the 104 weeks, as datetime64[D]."""
        return self.start64 + 7 * np.arange(WEEKS)


def week_factors(ctx: Context) -> np.ndarray:
    """Relative activity per week: slow growth, a Spring Festival dip, a Golden Week dip.

    Why: real complaint and bookkeeping volumes fall sharply around 春节 and 国庆.
    """
    mondays = ctx.week_starts()
    growth = np.linspace(0.9, 1.1, WEEKS)
    factor = growth.copy()
    for sf in SPRING_FESTIVAL.values():
        days = (mondays - np.datetime64(sf, "D")).astype(int)
        factor[(days >= -10) & (days <= 6)] *= 0.4
        factor[(days > 6) & (days <= 13)] *= 0.75
    for year in range(ctx.start.year, ctx.as_of.year + 1):
        days = (mondays - np.datetime64(dt.date(year, 10, 1), "D")).astype(int)
        factor[(days >= -6) & (days <= 0)] *= 0.6
    return factor


def month_key(days: np.ndarray) -> np.ndarray:
    """yyyymm ints of datetime64 dates."""
    months = days.astype("datetime64[M]").astype(int)
    return (1970 + months // 12) * 100 + months % 12 + 1


def spread_days(rng: np.random.Generator, n: int) -> np.ndarray:
    """Day offsets 0..6 within a week, weekdays about three times as likely as weekends."""
    return rng.choice(7, size=n, p=np.array([3, 3, 3, 3, 3, 1, 1]) / 17)
