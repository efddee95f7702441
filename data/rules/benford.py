"""Rule benford_first_digit (首位数字分布偏离本福特定律): the first significant digits of a
village's expenses against Benford's law, P(d) = log10(1 + 1/d).

Amounts booked as they fall (purchases, wages, works of every size) spread over several
orders of magnitude, and their first digits follow Benford's law: 1 leads 30.1 % of them,
9 only 4.6 %. Invented amounts do not: people making up figures pick middling and high
leading digits, just below the sums that need approval. The rule judges each village over
the last `window_months` whole months, only with at least `min_sample` expenses of
`min_amount` yuan or more, by a chi-square goodness-of-fit test with 8 degrees of freedom
(p below `alpha`), and asks for a material deviation as well: Nigrini's mean absolute
deviation of the digit shares (MAD) at least `min_mad` (0.015 is his "nonconformity" for
first digits), so that a large sample does not raise a clue over a trivial departure.
Categories paid at fixed rates (`skip_categories`: cadres' pay) are left out: assigned
amounts do not follow Benford's law.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from data.rules.base import CLUE_COLUMNS, last_seen_month, month_end, month_key, month_start, next_monday, query, within

DIGITS = np.arange(1, 10)
BENFORD = np.log10(1 + 1 / DIGITS)  # the expected first-digit shares
TEST = "chi-square goodness of fit, 8 df, against Benford's law"


def chi2_sf_even(x: float, df: int) -> float:
    """P(X > x) for X ~ chi-square with an even `df`, exactly: with k = df / 2,
    exp(-x/2) * sum_{i<k} (x/2)^i / i! (the Poisson tail; no scipy needed)."""
    if df <= 0 or df % 2:
        raise ValueError(f"df must be even and positive: {df}")
    if x <= 0:
        return 1.0
    half = x / 2
    terms = [i * math.log(half) - math.lgamma(i + 1) for i in range(df // 2)]
    top = max(terms)
    log_p = -half + top + math.log(sum(math.exp(t - top) for t in terms))
    return math.exp(log_p) if log_p > -745 else 0.0


def benford_first_digit(conn, as_of: dt.date, ranges, params: dict) -> pd.DataFrame:
    """One clue per village whose first digits fail the test and deviate by MAD >= min_mad."""
    window, min_amount = int(params["window_months"]), float(params["min_amount"])
    last = last_seen_month(as_of)
    first = last - window + 1
    skip = {f"skip{i}": str(c) for i, c in enumerate(params["skip_categories"])}
    skipped = f" AND category NOT IN ({', '.join(':' + k for k in skip)})" if skip else ""
    # amounts of at least 1 yuan (min_amount >= 1): the text's first character is the first
    # significant digit, in SQLite ('4386.5') and PostgreSQL ('4386.50') alike
    rows = query(conn, f"""
        SELECT village_code, SUBSTR(CAST(amount AS TEXT), 1, 1) AS digit, COUNT(*) AS n
        FROM village_ledger
        WHERE direction = 'expense' AND amount >= :min_amount AND entry_date BETWEEN :first AND :last{skipped}
          {within("village_code", ranges)}
        GROUP BY village_code, SUBSTR(CAST(amount AS TEXT), 1, 1)""",
        min_amount=max(min_amount, 1.0), first=month_start(first), last=month_end(last), **skip)
    if rows.empty:
        return pd.DataFrame(columns=CLUE_COLUMNS)
    rows = rows[rows["digit"].isin([str(d) for d in DIGITS])]
    villages, village = np.unique(rows["village_code"].to_numpy(), return_inverse=True)
    observed = np.zeros((len(villages), 9))  # villages x digits 1-9 (a pivot, without pandas' cost)
    np.add.at(observed, (village, rows["digit"].astype(int).to_numpy() - 1), rows["n"].to_numpy(dtype=float))
    n = observed.sum(axis=1)
    keep = n >= int(params["min_sample"])
    observed, n, villages = observed[keep], n[keep], villages[keep]
    expected = n[:, None] * BENFORD
    statistic = ((observed - expected) ** 2 / expected).sum(axis=1)
    shares = observed / n[:, None]
    mad = np.abs(shares - BENFORD).mean(axis=1)
    p_values = np.array([chi2_sf_even(float(x), 8) for x in statistic])
    hit = (p_values < float(params["alpha"])) & (mad >= float(params["min_mad"]))
    out = []
    for village, x, p, size, m, share, count in zip(villages[hit], statistic[hit], p_values[hit], n[hit], mad[hit],
                                                   shares[hit], observed[hit]):
        out.append({"rule": "benford_first_digit", "region_code": village, "subject_key": village, "amount": 0.0,
                    "score": float(min(100.0, 60 + 400 * m)),
                    "evidence": {"test": TEST, "statistic": round(float(x), 2), "p_value": float(f"{p:.3g}"),
                                 "expenses": int(size), "mad": round(float(m), 4), "min_amount": min_amount,
                                 "skip_categories": sorted(skip.values()),
                                 "counts": [int(c) for c in count],
                                 "observed_share": [round(float(s), 4) for s in share],
                                 "expected_share": [round(float(b), 4) for b in BENFORD],
                                 "from_month": month_key(first), "to_month": month_key(last)},
                    "flagged_on": next_monday(month_end(last))})
    return pd.DataFrame(out, columns=CLUE_COLUMNS)
