"""Working-day arithmetic for due dates, vectorised over many dates.

Due dates (complaints: 10 or 15 working days; service requests per matter) follow the
official calendar of holidays and make-up workdays (`data.calendar.is_workday`, the same
rule as `data.calendar.add_working_days`). A running count of working days over the
covered span turns "n working days after d" into one array lookup, so a million
complaints cost one calendar pass.
"""
from __future__ import annotations

import datetime as dt

import numpy as np

from data.calendar import is_workday


def due_dates(days: np.ndarray, n_days: np.ndarray) -> np.ndarray:
    """datetime64[D] due dates: `n_days` working days after each of `days` (day itself not counted)."""
    days = days.astype("datetime64[D]")
    n_days = np.broadcast_to(np.asarray(n_days, dtype=np.int64), days.shape)
    if days.size == 0:
        return days
    first = days.min()
    span = int((days.max() - first).astype(int)) + 2 * int(n_days.max()) + 40
    calendar = first + np.arange(span)
    work = np.array([is_workday(d.astype(dt.date)) for d in calendar])
    cum = np.cumsum(work)  # working days in [first, day]
    offset = (days - first).astype(int)
    # the earliest day whose running count reaches count(start) + n
    return calendar[np.searchsorted(cum, cum[offset] + n_days, side="left")]
