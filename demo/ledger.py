"""Village finance ledger (村级财务): about 8 income/expense entries per village per week.

Entries per village-week are Poisson (larger villages book more, Spring Festival weeks
less); a few villages skip weeks now and then, and a few lagging ones whole months, so
reporting completeness is below 100 %.
Expense amounts follow Benford's law, as booked expenses do (all but cadres' fixed pay).
Planted: an expense split into several entries just under the approval threshold, a
village whose hospitality spending is far above its peers, a village that stops
booking from `plan.stop_date`, whole-hundred expenses in one village, two villages whose
expenses are largely made up (high first digits), and a works payment in each village
while its finance disclosure is long overdue.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from demo.context import WEEKS, Context, month_key, spread_days, week_factors
from demo.names import PLACE_WORDS, SURNAMES
from demo.plan import SPLIT_THRESHOLD, Plan

# category, direction, share among entries, median yuan, log sigma, counterparty kind
CATEGORIES = [
    ("superior_subsidy", "income", 0.105, 15000, 0.7, "gov"),
    ("collective_operation", "income", 0.075, 4000, 0.8, "firm"),
    ("contracting", "income", 0.075, 2500, 0.7, "person"),
    ("other_income", "income", 0.045, 800, 0.9, "person"),
    ("admin", "expense", 0.21, 600, 0.8, "shop"),
    ("public_welfare", "expense", 0.126, 2500, 0.9, "firm"),
    ("cadre_pay", "expense", 0.084, 3500, 0.3, "person"),
    ("construction", "expense", 0.084, 12000, 0.9, "builder"),
    ("hospitality", "expense", 0.056, 400, 0.6, "restaurant"),
    ("other_expense", "expense", 0.14, 500, 0.9, "shop"),
]
_SUFFIX = {"gov": ["镇财政所", "县财政局", "县农业农村局", "县民政局"],
           "firm": ["农业专业合作社", "种养有限公司", "水电站", "物业公司"],
           "shop": ["百货商店", "五金店", "文具店", "农资店"],
           "builder": ["建筑劳务队", "建材经营部", "路桥工程有限公司", "水利工程队"],
           "restaurant": ["农家饭庄", "酒家", "大酒店", "餐馆"]}


def counterparty_pool(ctx: Context, kind: str, n: int = 40) -> np.ndarray:
    """`n` plausible counterparty names of a kind (businesses or people)."""
    rng = ctx.rng("counterparty", kind)
    if kind == "person":
        return rng.choice(np.array(SURNAMES, dtype=object), n) + rng.choice(
            np.array(list("建国志明春华秀英桂兰德福"), dtype=object), n) + "（个人）"
    return rng.choice(PLACE_WORDS, n) + rng.choice(np.array(_SUFFIX[kind], dtype=object), n)


LAGGING_SHARE, LAGGING_MONTH_P = 0.05, 0.25


def ledger(ctx: Context, villages: pd.DataFrame, plan: Plan, key: str, first_id: int) -> pd.DataFrame:
    """village_ledger rows of `villages` (one county: streams keyed by `key`), sorted by
    village and date, ids from `first_id`, with voucher numbers."""
    counts = _weekly_counts(ctx, villages, key)
    vidx = np.repeat(np.repeat(np.arange(len(villages)), WEEKS), counts.ravel())
    week = np.repeat(np.tile(np.arange(WEEKS), len(villages)), counts.ravel())
    rng = ctx.rng("ledger_rows", key)
    day = ctx.week_starts()[week] + spread_days(rng, len(week))
    frame = _entries(ctx, rng, villages["code"].to_numpy()[vidx], day)
    _fabricate(ctx, plan, frame)
    frame = pd.concat([frame, _planted(ctx, plan, set(villages["code"]))], ignore_index=True)
    frame = frame[frame["entry_date"].to_numpy() <= ctx.end64]
    stop = (frame["village_code"] == plan.stopped_village) & (
        frame["entry_date"].to_numpy() >= np.datetime64(plan.stop_date))
    frame = frame[~stop.to_numpy()].sort_values(["village_code", "entry_date"], kind="stable")
    frame = frame.reset_index(drop=True)
    frame.insert(0, "id", np.arange(first_id, first_id + len(frame)))
    frame["voucher_no"] = _vouchers(frame)
    frame["batch_id"] = ctx.batch_id
    return frame


def _weekly_counts(ctx: Context, villages: pd.DataFrame, key: str) -> np.ndarray:
    """Entries per village (rows) and week (columns), with skipped weeks set to 0."""
    rng = ctx.rng("ledger_counts", key)
    size = np.sqrt(villages["population"].to_numpy() / 1650)
    season = 0.5 + 0.5 * week_factors(ctx)
    counts = rng.poisson(8 * np.outer(size, season))
    skip_p = np.where(rng.random(len(villages)) < 0.08, 0.12, 0.004)
    counts[rng.random(counts.shape) < skip_p[:, None]] = 0
    return _skip_months(ctx, counts, key)


def _skip_months(ctx: Context, counts: np.ndarray, key: str) -> np.ndarray:
    """A few villages (LAGGING_SHARE) send nothing for a whole month now and then
    (LAGGING_MONTH_P): what the reporting completeness (数据报送) is there to find. Its own
    random stream, so the other entries stay as they were."""
    rng = ctx.rng("ledger_lagging", key)
    months = ctx.week_starts().astype("datetime64[M]")
    index = np.unique(months, return_inverse=True)[1]
    lagging = rng.random(len(counts)) < LAGGING_SHARE
    skipped = (rng.random((len(counts), index.max() + 1)) < LAGGING_MONTH_P) & lagging[:, None]
    counts[skipped[:, index]] = 0
    return counts


def _entries(ctx: Context, rng: np.random.Generator, village: np.ndarray, day: np.ndarray) -> pd.DataFrame:
    """Category, direction, amount and counterparty for each entry."""
    n = len(village)
    shares = np.array([c[2] for c in CATEGORIES])
    cat = rng.choice(len(CATEGORIES), size=n, p=shares / shares.sum())
    median = np.log(np.array([c[3] for c in CATEGORIES]))[cat]
    sigma = np.array([c[4] for c in CATEGORIES])[cat]
    amount = np.round(np.exp(median + sigma * rng.standard_normal(n)), 2)
    booked = np.array([c[1] == "expense" and c[0] not in FIXED_PAY for c in CATEGORIES])[cat]
    amount[booked] = _benford_amounts(cat[booked], amount[booked])
    party = np.empty(n, dtype=object)
    for i, c in enumerate(CATEGORIES):
        sel = cat == i
        party[sel] = rng.choice(counterparty_pool(ctx, c[5]), sel.sum())
    return pd.DataFrame({
        "village_code": village, "entry_date": day,
        "direction": np.array([c[1] for c in CATEGORIES], dtype=object)[cat],
        "category": np.array([c[0] for c in CATEGORIES], dtype=object)[cat],
        "amount": amount, "counterparty": party})


# expense categories paid at fixed rates (cadres' pay): not Benford, and benford_first_digit
# leaves them out (its skip_categories); their amounts stay log-normal
FIXED_PAY = ("cadre_pay",)
def _benford_amounts(cat: np.ndarray, drawn: np.ndarray) -> np.ndarray:
    """Expense amounts whose first digits follow Benford's law, as booked expenses do
    (all but the fixed pay), moved as little as possible from the log-normal draws.

    A category's log-normal is too narrow for Benford: its mantissas (log10 amount mod 1)
    bunch. Each amount keeps its order of magnitude and its rank among the category's
    mantissas, and takes the mantissa of that rank spread evenly over [0, 1) (the
    empirical probability transform): an even mantissa is what gives Benford's first
    digits. Amounts keep their order, so monthly totals move little; each category is
    then scaled back to its drawn total (scaling turns the mantissas, evenly spread they
    stay so)."""
    out = np.empty(len(drawn))
    for c in np.unique(cat):
        sel = np.flatnonzero(cat == c)
        log = np.log10(drawn[sel])
        decade = np.floor(log)
        rank = np.empty(len(sel))
        rank[np.argsort(log - decade, kind="stable")] = (np.arange(len(sel)) + 0.5) / len(sel)
        amount = 10 ** (decade + rank)
        out[sel] = amount * drawn[sel].sum() / amount.sum()
    return np.round(out, 2)


FABRICATED_CATEGORIES = ("admin", "public_welfare", "other_expense")
FABRICATED_SHARE = 0.8


def _fabricate(ctx: Context, plan: Plan, frame: pd.DataFrame) -> None:
    """Four in five of the office, public-welfare and sundry expenses of each fabricated village are
    made up (in place): amounts of the same order of magnitude, but with the leading
    digits 4 to 9 that invented figures lean to, just under the next round sum (首位数字
    异常: bookings made up after the fact). Over the whole two years, so no category jumps."""
    for village in plan.fabricated_villages:
        rows = np.flatnonzero((frame["village_code"].to_numpy() == village)
                              & frame["category"].isin(FABRICATED_CATEGORIES).to_numpy())
        if not len(rows):
            continue
        rng = ctx.rng("ledger_fabricated", village)
        rows = rows[rng.random(len(rows)) < FABRICATED_SHARE]
        amount = frame["amount"].to_numpy()[rows].astype(float)
        decade = 10.0 ** np.floor(np.log10(amount))
        made_up = np.round(decade * rng.uniform(4.0, 9.99, len(rows)), 2)
        frame.loc[frame.index[rows], "amount"] = made_up
        window = frame["entry_date"].to_numpy()[rows]
        plan.add_truth("benford_first_digit", village, village, window.min(), ctx.end64,
                       made_up_expenses=len(rows), categories=list(FABRICATED_CATEGORIES),
                       first_digits="4-9")


def _planted(ctx: Context, plan: Plan, codes: set[str]) -> pd.DataFrame:
    """The split expense and the hospitality outlier entries of villages in `codes`."""
    rng = ctx.rng("ledger_planted")
    frames = []
    if plan.split_village in codes:
        frames.append(_split(ctx, rng, plan))
    if plan.outlier_village in codes:
        frames.append(_outlier(ctx, rng, plan))
    if plan.project_village in codes:
        frames.append(_round_amounts(ctx, plan))
    frames += [_overdue_spending(ctx, item) for item in plan.overdue_disclosures if item.village in codes]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _round_amounts(ctx: Context, plan: Plan) -> pd.DataFrame:
    """Sixty extra miscellaneous expenses in whole hundreds to local shops over the last
    nine months (整数金额占比异常: bookings made up after the fact)."""
    rng = ctx.rng("ledger_round_amounts")
    n = 60
    days = ctx.end64 - 7 * 39 + np.sort(rng.integers(0, 7 * 39, n))
    amounts = rng.choice([300.0, 500.0, 600.0, 800.0, 1000.0, 1200.0, 1500.0, 2000.0], n)
    rows = pd.DataFrame({"village_code": plan.project_village, "entry_date": days, "direction": "expense",
                         "category": "other_expense", "amount": amounts,
                         "counterparty": rng.choice(counterparty_pool(ctx, "shop"), n)})
    plan.add_truth("round_amounts", plan.project_village, plan.project_village, days[0], ctx.end64,
                   entries=n, unit=100, total=round(float(amounts.sum()), 2))
    return rows


def _overdue_spending(ctx: Context, item) -> pd.DataFrame:
    """A works payment of 6,000-9,000 yuan while the village's finance disclosure of
    `item.period` is long overdue (the disclosure's truth row is publicity's)."""
    rng = ctx.rng("ledger_overdue_spending", item.village, item.period)
    builder = PLACE_WORDS[int(rng.integers(len(PLACE_WORDS)))] + "建筑劳务队"
    return pd.DataFrame({"village_code": [item.village], "entry_date": [np.datetime64(item.spent_on, "D")],
                         "direction": "expense", "category": "construction",
                         "amount": [round(float(rng.uniform(6000, 9000)), 2)], "counterparty": builder})


def _split(ctx: Context, rng: np.random.Generator, plan: Plan) -> pd.DataFrame:
    """Four construction payments to one builder within 6 days, each just under 5,000."""
    first = ctx.end64 - 75
    split_days = first + np.array([0, 1, 3, 5])
    split_amounts = np.round(SPLIT_THRESHOLD - rng.uniform(30, 260, 4), 2)
    builder = PLACE_WORDS[int(rng.integers(len(PLACE_WORDS)))] + "建筑劳务队"
    split = pd.DataFrame({"village_code": plan.split_village, "entry_date": split_days,
                          "direction": "expense", "category": "construction",
                          "amount": split_amounts, "counterparty": builder})
    plan.add_truth("split_expense", plan.split_village, builder, split_days[0], split_days[-1],
                   amounts=split_amounts.tolist(), total=round(float(split_amounts.sum()), 2),
                   threshold=SPLIT_THRESHOLD)
    return split


def _outlier(ctx: Context, rng: np.random.Generator, plan: Plan) -> pd.DataFrame:
    """About 1.5 extra, costly hospitality entries a week for the last 26 weeks."""
    n = 40
    days = ctx.end64 - 7 * 26 + np.sort(rng.integers(0, 7 * 26, n))
    outlier = pd.DataFrame({"village_code": plan.outlier_village, "entry_date": days,
                            "direction": "expense", "category": "hospitality",
                            "amount": np.round(rng.lognormal(np.log(1800), 0.4, n), 2),
                            "counterparty": rng.choice(counterparty_pool(ctx, "restaurant"), n)})
    plan.add_truth("spending_outlier", plan.outlier_village, "hospitality", days[0], ctx.end64,
                   category="hospitality", extra_entries=n,
                   extra_amount=round(float(outlier["amount"].sum()), 2))
    return outlier


def _vouchers(frame: pd.DataFrame) -> np.ndarray:
    """Voucher numbers JZyyyymm-NNNN, numbered per village and month."""
    month = pd.Series(month_key(frame["entry_date"].to_numpy()), index=frame.index)
    seq = frame.groupby([frame["village_code"], month], sort=False).cumcount() + 1
    # one f-string a row: ~4x faster than pandas string concatenation over 2 M rows
    return np.array([f"JZ{m}-{n:04d}" for m, n in zip(month.tolist(), seq.tolist())], dtype=object)
