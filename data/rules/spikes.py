"""The complaint spike rule (投诉异常激增), as pure functions over weekly counts.

Rule (stated on the page with its parameters): for each series (a township, a category,
a channel ...) and week t,

    baseline_t = upper quartile (75th percentile) of the series over the
                 `baseline_weeks` weeks before t — a quartile, not the mean, so that the
                 Spring Festival and National Day dips do not make the rebound look like
                 a surge — where weeks already flagged as spikes count at their limit
                 (winsorised: a surge does not hide its own later weeks, and a lasting
                 change of level is still absorbed after a few weeks);
    limit_t    = the Poisson upper (1 − alpha) quantile of baseline_t (smallest k with
                 P(X ≤ k) ≥ 1 − alpha, baseline floored at `min_baseline`);
    spike_t    = count_t > limit_t and count_t ≥ min_count.

Under a stable Poisson rate a week is flagged with probability ≤ alpha. Weeks with fewer
than `baseline_weeks` earlier weeks are never flagged. Quantiles are exact below a
baseline of 50 and use the Cornish–Fisher expansion above (error < 1 count there).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

EXACT_BELOW = 50.0
BASELINE_QUANTILE = 75
_K = np.arange(int(EXACT_BELOW + 12 * math.sqrt(EXACT_BELOW) + 40) + 1)
_LOG_FACT = np.array([math.lgamma(i + 1) for i in _K])


@dataclass(frozen=True)
class SpikeRule:
    """Parameters of the rule (settings.spike_rule; SUNSHINE_SPIKE_* env vars)."""
    baseline_weeks: int = 8
    alpha: float = 0.001
    min_count: int = 5
    min_baseline: float = 0.5

    @classmethod
    def of(cls, params) -> SpikeRule:
        """From settings' (baseline_weeks, alpha, min_count)."""
        weeks, alpha, min_count = params
        return cls(int(weeks), float(alpha), int(min_count))


def poisson_upper(lam, alpha: float) -> np.ndarray:
    """Smallest k with P(X ≤ k) ≥ 1 − alpha for X ~ Poisson(lam), element-wise (ints)."""
    lam = np.atleast_1d(np.asarray(lam, dtype=float))
    values, inverse = np.unique(lam, return_inverse=True)  # baselines repeat a lot
    if len(values) < len(lam):
        return _poisson_upper(values, alpha)[inverse].reshape(lam.shape)
    return _poisson_upper(lam, alpha)


def _poisson_upper(lam: np.ndarray, alpha: float) -> np.ndarray:
    out = np.zeros(lam.shape, dtype=np.int64)
    exact = lam < EXACT_BELOW
    if exact.any():
        sub = lam[exact]
        top = min(len(_K), int(sub.max() + 10 * math.sqrt(sub.max()) + 30))
        k, log_fact = _K[:top], _LOG_FACT[:top]
        with np.errstate(divide="ignore", invalid="ignore"):
            log_pmf = (k[None, :] * np.log(sub)[:, None] - sub[:, None] - log_fact[None, :])
        log_pmf[sub == 0, :] = -np.inf
        log_pmf[sub == 0, 0] = 0.0
        cdf = np.cumsum(np.exp(log_pmf), axis=1)
        reached = cdf[:, -1] >= 1 - alpha - 1e-12
        out[exact] = np.where(reached, np.argmax(cdf >= 1 - alpha - 1e-12, axis=1), -1)
        exact[exact] = reached  # a tail beyond the table (tiny alpha): the approximation below
    if (~exact).any():
        sub = lam[~exact]
        z = NormalDist().inv_cdf(1 - alpha)
        out[~exact] = np.ceil(sub + z * np.sqrt(sub) + (z * z - 1) / 6 - 0.5).astype(np.int64)
    return out


def detect(counts, rule: SpikeRule = SpikeRule()) -> pd.DataFrame:
    """The rule on a matrix of weekly counts (rows = series, columns = weeks, oldest first).

    Returns a long frame: series (row index), week (column index), count, baseline,
    limit, spike — one row per cell that has a full baseline.
    """
    x = np.asarray(counts, dtype=float)
    if x.ndim == 1:
        x = x[None, :]
    n_series, n_weeks = x.shape
    b = rule.baseline_weeks
    filtered = x.copy()  # the series with flagged weeks winsorised at their limit
    if n_weeks <= b:
        return pd.DataFrame(columns=["series", "week", "count", "baseline", "limit", "spike"])
    bases = np.zeros((n_series, n_weeks - b))
    limits = np.zeros((n_series, n_weeks - b), dtype=np.int64)
    spikes = np.zeros((n_series, n_weeks - b), dtype=bool)
    start = b
    # Vectorised over blocks of `baseline_weeks` weeks (their baselines only read earlier
    # weeks); a spike changes later baselines, so after the first week with a spike that
    # week is winsorised and the next block starts after it.
    while start < n_weeks:
        end = min(n_weeks, start + b)  # a block of weeks whose baselines are all known
        windows = np.lib.stride_tricks.sliding_window_view(filtered[:, start - b:end - 1], b, axis=1)
        base = np.percentile(windows, BASELINE_QUANTILE, axis=2)
        limit = poisson_upper(np.maximum(base, rule.min_baseline).ravel(), rule.alpha).reshape(base.shape)
        count = x[:, start:end]
        spike = (count > limit) & (count >= rule.min_count)
        hit = np.flatnonzero(spike.any(axis=0))
        stop = hit[0] + 1 if len(hit) else end - start
        cols = slice(start - b, start - b + stop)
        bases[:, cols], limits[:, cols], spikes[:, cols] = base[:, :stop], limit[:, :stop], spike[:, :stop]
        if len(hit):
            t = start + hit[0]
            filtered[spike[:, hit[0]], t] = limit[spike[:, hit[0]], hit[0]]
        start += stop
    return pd.DataFrame({"series": np.repeat(np.arange(n_series), n_weeks - b),
                         "week": np.tile(np.arange(b, n_weeks), n_series),
                         "count": x[:, b:].ravel(), "baseline": bases.ravel(),
                         "limit": limits.ravel(), "spike": spikes.ravel()})


LOOKBACK_WEEKS = 4  # spikes are looked for in the 4 weeks ending with the chosen week


def history(week_key: int, rule: SpikeRule) -> list[int]:
    """The weeks the rule reads for the weeks up to `week_key`: the look-back window and
    the baseline before it. One span for every caller: earlier spikes enter the baseline
    at their limit, so a longer or shorter history would give another limit."""
    from data.calendar import weeks_back
    return weeks_back(week_key, LOOKBACK_WEEKS + rule.baseline_weeks)


def detect_frame(frame: pd.DataFrame, *, unit: str, weeks: list[int], count: str = "received",
                 rule: SpikeRule = SpikeRule()) -> pd.DataFrame:
    """The rule on a long frame (unit, week_key, count) over `weeks` (oldest first, dense:
    missing weeks count 0). Returns unit, week_key, count, baseline, limit, spike."""
    cols = [unit, "week_key", "count", "baseline", "limit", "spike"]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    units, unit_idx = np.unique(frame[unit].to_numpy(), return_inverse=True)
    pos = {int(w): i for i, w in enumerate(weeks)}
    week_idx = np.array([pos.get(int(w), -1) for w in frame["week_key"]])
    ok = week_idx >= 0
    wide = np.zeros((len(units), len(weeks)))
    np.add.at(wide, (unit_idx[ok], week_idx[ok]), frame[count].to_numpy(dtype=float)[ok])
    found = detect(wide, rule)
    if found.empty:
        return pd.DataFrame(columns=cols)
    found[unit] = units[found["series"].to_numpy()]
    found["week_key"] = np.asarray(weeks)[found["week"].to_numpy()]
    return found[cols].reset_index(drop=True)
