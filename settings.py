"""All runtime settings; the only module that reads environment variables.

Every setting is documented here and in README.md (section "Settings").
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Settings:
    """Settings of one app process.

    database_url: SQLAlchemy URL. Default: SQLite file var/sunshine.db (WAL mode).
    port: HTTP port of `make run` (default 8050).
    lang: default UI language, "zh-CN" (default) or "en".
    secret_key: Flask secret key (sessions).
    cache_dir: folder of the filesystem cache used when no Redis is configured.
    redis_url: when set, flask-caching uses Redis instead of the filesystem.
    var_dir: git-ignored folder for the database, caches and geometry files.
    default_region: the region pages open on when the URL names none (6- or 12-digit
        code); empty (the default) means the loaded dataset's root region.
    user_scope: region codes the (single, demo) user may see; comma separated;
        deny by default means an empty value sees nothing.
    refresh_seconds: big-screen auto refresh interval.
    funds_lag_points: /funds disbursement status thresholds, percentage points a unit's
        YTD disbursement rate is behind the share of the year elapsed: red, yellow, blue
        (default 15, 10, 5; env SUNSHINE_FUNDS_LAG_POINTS="15,10,5").
    complaint_floors: /complaints league table: reply-rate floor, satisfaction-rate floor
        and repeat-complaint-rate ceiling, fractions (env SUNSHINE_FLOOR_REPLY=0.92,
        SUNSHINE_FLOOR_SATISFACTION=0.85, SUNSHINE_CEILING_REPEAT=0.08).
    spike_rule: /complaints spike rule (baseline weeks, alpha, minimum count): a week is a
        spike when its count exceeds the Poisson (1 - alpha) upper limit of the upper
        quartile of the previous baseline weeks and is at least the minimum count (env
        SUNSHINE_SPIKE_BASELINE_WEEKS=8, SUNSHINE_SPIKE_ALPHA=0.001, SUNSHINE_SPIKE_MIN_COUNT=5).
    """

    database_url: str
    port: int = 8050
    lang: str = "zh-CN"
    secret_key: str = "dev-only-change-me"
    var_dir: Path = PROJECT_ROOT / "var"
    cache_dir: Path = PROJECT_ROOT / "var" / "cache"
    redis_url: str | None = None
    default_region: str = ""
    user_scope: tuple[str, ...] = field(default=("430000000000",))
    refresh_seconds: int = 300
    funds_lag_points: tuple[float, float, float] = (15.0, 10.0, 5.0)
    complaint_floors: tuple[float, float, float] = (0.92, 0.85, 0.08)
    spike_rule: tuple[int, float, int] = (8, 0.001, 5)
    user_name: str = "demo"


def default_database_url(var_dir: Path) -> str:
    return f"sqlite:///{var_dir / 'sunshine.db'}"


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build Settings from environment variables (or the given mapping)."""
    env = dict(os.environ if env is None else env)
    var_dir = Path(env.get("SUNSHINE_VAR_DIR", PROJECT_ROOT / "var"))
    scope = env.get("SUNSHINE_SCOPE", "430000000000")
    return Settings(
        database_url=env.get("DATABASE_URL") or default_database_url(var_dir),
        port=int(env.get("PORT", "8050")),
        lang=env.get("SUNSHINE_LANG", "zh-CN"),
        secret_key=env.get("SECRET_KEY", "dev-only-change-me"),
        var_dir=var_dir,
        cache_dir=Path(env.get("CACHE_DIR", var_dir / "cache")),
        redis_url=env.get("REDIS_URL") or None,
        default_region=env.get("SUNSHINE_DEFAULT_REGION", ""),
        user_scope=tuple(c.strip() for c in scope.split(",") if c.strip()),
        refresh_seconds=int(env.get("SUNSHINE_REFRESH_SECONDS", "300")),
        funds_lag_points=_lag_points(env.get("SUNSHINE_FUNDS_LAG_POINTS", "15,10,5")),
        complaint_floors=(float(env.get("SUNSHINE_FLOOR_REPLY", "0.92")),
                          float(env.get("SUNSHINE_FLOOR_SATISFACTION", "0.85")),
                          float(env.get("SUNSHINE_CEILING_REPEAT", "0.08"))),
        spike_rule=(int(env.get("SUNSHINE_SPIKE_BASELINE_WEEKS", "8")),
                    float(env.get("SUNSHINE_SPIKE_ALPHA", "0.001")),
                    int(env.get("SUNSHINE_SPIKE_MIN_COUNT", "5"))),
        user_name=env.get("SUNSHINE_USER", "demo"),
    )


def _lag_points(value: str) -> tuple[float, float, float]:
    """'20,10,5' -> (20.0, 10.0, 5.0): red >= yellow >= blue >= 0, else ValueError."""
    points = tuple(float(p) for p in value.split(","))
    if len(points) != 3 or not points[0] >= points[1] >= points[2] >= 0:
        raise ValueError(f"SUNSHINE_FUNDS_LAG_POINTS must be three numbers red>=yellow>=blue>=0: {value!r}")
    return points
