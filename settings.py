"""All runtime settings; the only module that reads environment variables.

Each setting is declared once, in SETTINGS: the Settings field it feeds, its environment
variable, parser, default and meaning. The Settings dataclass is checked against it at
import, `load_settings` reads the variables through it, and the table of README.md
("Settings 配置", between TABLE_BEGIN and TABLE_END) is generated from it:
`python settings.py --markdown` prints the table, `python settings.py --readme` rewrites
README.md's copy (tests/test_settings.py fails while that copy is stale).
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, get_type_hints

PROJECT_ROOT = Path(__file__).resolve().parent
README = PROJECT_ROOT / "README.md"
TABLE_BEGIN, TABLE_END = "<!-- settings:begin -->", "<!-- settings:end -->"

Values = dict[str, Any]  # environment variable -> its parsed value, while loading


@dataclass(frozen=True)
class Setting:
    """One environment variable.

    field: the Settings field it feeds; entries naming the same field are combined, in
        declaration order, into a tuple (complaint_floors, spike_rule).
    env: the variable's name.
    parse: text -> value, ValueError on a bad value; its type (the parser itself when it is
        a type, else its return annotation) is the field's type.
    default: the text used when the variable is unset (parsed like a set value, so the
        README shows what one would type), or a function of the values of the entries
        declared before it (env name -> value), for defaults that depend on another setting.
    doc: what it means, in English with the Chinese term (the README's "meaning" column).
    shown: the README's "default" column when that is not the default text itself.
    unset_if_empty: an empty value counts as unset (else it is parsed like any other).
    """

    field: str
    env: str
    parse: Callable[[str], Any]
    default: str | Callable[[Values], Any]
    doc: str
    shown: str = ""
    unset_if_empty: bool = False


def default_database_url(var_dir: Path) -> str:
    return f"sqlite:///{var_dir / 'sunshine.db'}"


# ---------------------------------------------------------------- parsers (text -> value)

def _optional(value: str) -> str | None:
    """'' -> None (unset), else the text."""
    return value or None


def _codes(value: str) -> tuple[str, ...]:
    """'430000000000, 431000' -> ('430000000000', '431000'); '' -> () (sees nothing)."""
    return tuple(c.strip() for c in value.split(",") if c.strip())


def _flag(value: str) -> bool:
    """'1'/'true'/'yes' -> True, '0'/'false'/'no' -> False, else ValueError."""
    text = value.strip().lower()
    if text not in ("1", "true", "yes", "0", "false", "no"):
        raise ValueError("must be 1 or 0")
    return text in ("1", "true", "yes")


def _rate(value: str) -> str:
    """'10/minute' (flask-limiter's notation), checked: a count >= 1 per second, minute or hour."""
    count, _, unit = value.strip().partition("/")
    if not count.isdigit() or int(count) < 1 or unit not in ("second", "minute", "hour"):
        raise ValueError("must look like 10/minute")
    return f"{int(count)}/{unit}"


def _port(value: str) -> int:
    port = int(value)
    if not 0 < port < 65536:
        raise ValueError("must be a TCP port, 1 to 65535")
    return port


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("must be a whole number >= 1")
    return number


def _count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("must be a whole number >= 0")
    return number


def _fraction(value: str) -> float:
    """'0.92' -> 0.92: a rate as a fraction, 0 to 1 (not a percentage)."""
    number = float(value)
    if not 0 <= number <= 1:
        raise ValueError("must be a fraction from 0 to 1 (0.92, not 92)")
    return number


def _alpha(value: str) -> float:
    number = float(value)
    if not 0 < number < 1:
        raise ValueError("must be a probability strictly between 0 and 1")
    return number


def _lag_points(value: str) -> tuple[float, float, float]:
    """'20,10,5' -> (20.0, 10.0, 5.0): red >= yellow >= blue >= 0, else ValueError."""
    points = tuple(float(p) for p in value.split(","))
    if len(points) != 3 or not points[0] >= points[1] >= points[2] >= 0:
        raise ValueError("must be three numbers red>=yellow>=blue>=0")
    return points  # three, checked above


# ---------------------------------------------------------------- the declaration

_SPIKE = "/complaints spike rule (投诉异常激增)"
_LEAGUE = "/complaints league table (责任单位排名)"

SETTINGS: tuple[Setting, ...] = (
    Setting("var_dir", "SUNSHINE_VAR_DIR", Path, lambda _: PROJECT_ROOT / "var",
            "git-ignored working folder: the SQLite database, caches, geometry files and briefing jobs",
            shown="`var/` in the project folder"),
    Setting("database_url", "DATABASE_URL", str, lambda v: default_database_url(v["SUNSHINE_VAR_DIR"]),
            "SQLAlchemy URL of the database (数据库); PostgreSQL in production (`postgresql+psycopg2://…`), "
            "else a SQLite file in WAL mode", shown="`sunshine.db` (SQLite) in `SUNSHINE_VAR_DIR`",
            unset_if_empty=True),
    Setting("cache_dir", "CACHE_DIR", Path, lambda v: v["SUNSHINE_VAR_DIR"] / "cache",
            "filesystem cache (缓存): flask-caching under `flask/` when no Redis is configured, "
            "map layers under `geo/`", shown="`cache/` in `SUNSHINE_VAR_DIR`"),
    Setting("port", "PORT", _port, "8050", "HTTP port of `make run` (the app listens on 127.0.0.1)"),
    Setting("lang", "SUNSHINE_LANG", str, "zh-CN",
            "default UI language (界面语言), `zh-CN` or `en`; `?lang=` in the URL overrides it"),
    Setting("secret_key", "SECRET_KEY", str, "",
            "Flask secret key (signs the session cookie); when unset, a random key is made once and kept in "
            "`secret.key` in `SUNSHINE_VAR_DIR` (mode 600), so sessions survive a restart",
            shown="— (random, kept in `var/secret.key`)"),
    Setting("redis_url", "REDIS_URL", _optional, "",
            "when set, flask-caching uses Redis instead of the filesystem cache"),
    Setting("default_region", "SUNSHINE_DEFAULT_REGION", str, "",
            "region (地区) the pages open on when the URL names none, a 6- or 12-digit code",
            shown="— (the dataset's root region)"),
    Setting("session_idle_minutes", "SUNSHINE_SESSION_IDLE_MINUTES", _positive, "30",
            "a session (会话) ends after this many minutes without a request (idle timeout)"),
    Setting("session_max_hours", "SUNSHINE_SESSION_MAX_HOURS", _positive, "12",
            "a session ends this many hours after its login, active or not (absolute lifetime)"),
    Setting("cookie_secure", "SUNSHINE_COOKIE_SECURE", _flag, "1",
            "`1`: the session cookie is sent over HTTPS only (browsers also accept it from http://127.0.0.1); "
            "`0` only for a plain-HTTP test deployment"),
    Setting("auth_header", "SUNSHINE_AUTH_HEADER", str, "",
            "unified identity gateway (统一身份认证): the request header holding the user name, trusted only "
            "from `SUNSHINE_TRUSTED_PROXIES`; empty: off, users log in with a password",
            shown="— (off)"),
    Setting("trusted_proxies", "SUNSHINE_TRUSTED_PROXIES", _codes, "",
            "comma-separated IP addresses of the identity gateway whose `SUNSHINE_AUTH_HEADER` is believed",
            shown="— (none)"),
    Setting("login_rate", "SUNSHINE_LOGIN_RATE", _rate, "10/minute",
            "login attempts (登录尝试) allowed per client address, `N/second|minute|hour`; more get HTTP 429"),
    Setting("max_body_mb", "SUNSHINE_MAX_BODY_MB", _positive, "32",
            "largest request body accepted, megabytes (larger requests get HTTP 413)"),
    Setting("refresh_seconds", "SUNSHINE_REFRESH_SECONDS", _positive, "300",
            "big-screen (数据大屏) auto refresh interval, seconds"),
    Setting("funds_lag_points", "SUNSHINE_FUNDS_LAG_POINTS", _lag_points, "15,10,5",
            "/funds disbursement status (拨付进度): percentage points a unit's year-to-date disbursement rate "
            "is behind the share of the year elapsed for 红 / 黄 / 蓝 (red, yellow, blue); red ≥ yellow ≥ blue ≥ 0"),
    Setting("complaint_floors", "SUNSHINE_FLOOR_REPLY", _fraction, "0.92",
            f"{_LEAGUE}: reply-rate floor (办结回复率 ≥ 92 %), a fraction; units below are highlighted"),
    Setting("complaint_floors", "SUNSHINE_FLOOR_SATISFACTION", _fraction, "0.85",
            f"{_LEAGUE}: satisfaction-rate floor (群众满意率 ≥ 85 %), a fraction"),
    Setting("complaint_floors", "SUNSHINE_CEILING_REPEAT", _fraction, "0.08",
            f"{_LEAGUE}: repeat-complaint-rate ceiling (重复投诉率 ≤ 8 %), a fraction"),
    Setting("spike_rule", "SUNSHINE_SPIKE_BASELINE_WEEKS", _positive, "8",
            f"{_SPIKE}: weeks of the trailing baseline (upper quartile of the previous weeks, "
            "earlier spike weeks counted at their limit)"),
    Setting("spike_rule", "SUNSHINE_SPIKE_ALPHA", _alpha, "0.001",
            f"{_SPIKE}: a week is a spike when its count exceeds the Poisson (1 - alpha) upper limit "
            "of the baseline"),
    Setting("spike_rule", "SUNSHINE_SPIKE_MIN_COUNT", _count, "5",
            f"{_SPIKE}: fewer complaints than this in a week are never a spike"),
)


def by_field() -> dict[str, tuple[Setting, ...]]:
    """Settings field -> its entries in SETTINGS (one, or the parts of a composite field)."""
    out: dict[str, tuple[Setting, ...]] = {}
    for s in SETTINGS:
        out[s.field] = (*out.get(s.field, ()), s)
    return out


# ---------------------------------------------------------------- loading

def _parse(s: Setting, text: str) -> Any:
    """The value of `text` for `s`; a bad value raises ValueError naming the variable."""
    try:
        return s.parse(text)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{s.env}={text!r}: {exc}") from exc


def _read(env: Mapping[str, str]) -> Values:
    """Every declared variable's value (env name -> value), in declaration order."""
    values: Values = {}
    for s in SETTINGS:
        text = env.get(s.env)
        if text is not None and not (s.unset_if_empty and text == ""):
            values[s.env] = _parse(s, text)
        elif callable(s.default):
            values[s.env] = s.default(values)
        else:
            values[s.env] = _parse(s, s.default)
    return values


def _fields(values: Values) -> dict[str, Any]:
    """Settings field -> value: its one entry's value, or the tuple of its entries' values."""
    return {name: values[parts[0].env] if len(parts) == 1 else tuple(values[p.env] for p in parts)
            for name, parts in by_field().items()}


def _field_type(parts: tuple[Setting, ...]) -> Any:
    """The type of a field: its parser's result, or the tuple of its parts' results."""
    types = tuple(p.parse if isinstance(p.parse, type) else get_type_hints(p.parse)["return"] for p in parts)
    return types[0] if len(types) == 1 else tuple[types]  # type: ignore[valid-type]  # tuple[int, float, int]


DEFAULTS = _fields(_read({}))  # field -> value when no variable is set

T = TypeVar("T")


def _declared(cls: type[T]) -> type[T]:
    """Class decorator keeping Settings in step with SETTINGS: the same fields, of the
    declared types, defaulting to the declared defaults (TypeError at import otherwise)."""
    hints = get_type_hints(cls)
    declared = {name: _field_type(parts) for name, parts in by_field().items()}
    if hints != declared:
        raise TypeError(f"{cls.__name__} fields {hints} differ from SETTINGS {declared}")
    wrong = [name for name in hints if getattr(cls, name, DEFAULTS[name]) != DEFAULTS[name]]
    if wrong:
        raise TypeError(f"{cls.__name__} defaults of {wrong} differ from SETTINGS")
    return cls


@_declared
@dataclass(frozen=True)
class Settings:
    """Settings of one app process: a field per field of SETTINGS (see there, or README.md,
    for what each means). database_url has no default: a Settings made by hand names its
    database; load_settings fills in the declared one."""

    database_url: str
    port: int = DEFAULTS["port"]
    lang: str = DEFAULTS["lang"]
    secret_key: str = DEFAULTS["secret_key"]
    var_dir: Path = DEFAULTS["var_dir"]
    cache_dir: Path = DEFAULTS["cache_dir"]
    redis_url: str | None = DEFAULTS["redis_url"]
    default_region: str = DEFAULTS["default_region"]
    session_idle_minutes: int = DEFAULTS["session_idle_minutes"]
    session_max_hours: int = DEFAULTS["session_max_hours"]
    cookie_secure: bool = DEFAULTS["cookie_secure"]
    auth_header: str = DEFAULTS["auth_header"]
    trusted_proxies: tuple[str, ...] = DEFAULTS["trusted_proxies"]
    login_rate: str = DEFAULTS["login_rate"]
    max_body_mb: int = DEFAULTS["max_body_mb"]
    refresh_seconds: int = DEFAULTS["refresh_seconds"]
    funds_lag_points: tuple[float, float, float] = DEFAULTS["funds_lag_points"]
    complaint_floors: tuple[float, float, float] = DEFAULTS["complaint_floors"]
    spike_rule: tuple[int, float, int] = DEFAULTS["spike_rule"]


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from environment variables (or only the given mapping), each parsed
    and checked as SETTINGS declares it: a bad value raises ValueError naming the variable."""
    return Settings(**_fields(_read(os.environ if env is None else env)))


# ---------------------------------------------------------------- README table

def _label(s: Setting) -> str:
    """`field`, or `field[i]` for the i-th part of a composite field."""
    parts = by_field()[s.field]
    return f"`{s.field}`" if len(parts) == 1 else f"`{s.field}[{parts.index(s)}]`"


def _shown(s: Setting) -> str:
    if s.shown:
        return s.shown
    return f"`{s.default}`" if s.default else "—"


def markdown_table() -> str:
    """README.md's table of the variables, one row per entry of SETTINGS, in its order."""
    rows = ["| variable | default | field | meaning |", "|---|---|---|---|"]
    rows += [f"| `{s.env}` | {_shown(s)} | {_label(s)} | {s.doc.replace('|', '&#124;')} |" for s in SETTINGS]
    return "\n".join(rows) + "\n"


def readme_with_table(text: str) -> str:
    """`text` (README.md) with the lines between TABLE_BEGIN and TABLE_END replaced by the table."""
    head, begin, rest = text.partition(TABLE_BEGIN + "\n")
    _, end, tail = rest.partition(TABLE_END)
    if not begin or not end:
        raise ValueError(f"README.md needs the markers {TABLE_BEGIN} and {TABLE_END}, each on its own line")
    return head + begin + markdown_table() + end + tail


def main(argv: list[str]) -> int:
    """`--markdown`: print the table; `--readme`: rewrite README.md's copy of it."""
    if argv == ["--markdown"]:
        sys.stdout.write(markdown_table())
        return 0
    if argv == ["--readme"]:
        README.write_text(readme_with_table(README.read_text(encoding="utf-8")), encoding="utf-8")
        return 0
    sys.stderr.write("usage: python settings.py --markdown | --readme\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
