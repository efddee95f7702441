"""Settings are data: one declaration (settings.SETTINGS) gives the Settings fields, what
load_settings reads and README.md's table; settings.py is the only reader of the environment."""
from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

import settings as st
from settings import PROJECT_ROOT, SETTINGS, Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
SKIP = {".venv", "tests", "var", "node_modules", "__pycache__"}
ENVS = [s.env for s in SETTINGS]

# Today's defaults, written out (not derived from SETTINGS): a changed default fails here.
DEFAULTS = {
    "database_url": f"sqlite:///{PROJECT_ROOT / 'var' / 'sunshine.db'}",
    "port": 8050,
    "lang": "zh-CN",
    "secret_key": "",
    "var_dir": PROJECT_ROOT / "var",
    "cache_dir": PROJECT_ROOT / "var" / "cache",
    "redis_url": None,
    "default_region": "",
    "session_idle_minutes": 30,
    "session_max_hours": 12,
    "cookie_secure": True,
    "auth_header": "",
    "trusted_proxies": (),
    "login_rate": "10/minute",
    "max_body_mb": 32,
    "refresh_seconds": 300,
    "funds_lag_points": (15.0, 10.0, 5.0),
    "complaint_floors": (0.92, 0.85, 0.08),
    "spike_rule": (8, 0.001, 5),
}

# env variable -> (a value other than the default, what it loads as)
SAMPLES = {
    "SUNSHINE_VAR_DIR": ("/srv/sunshine", Path("/srv/sunshine")),
    "DATABASE_URL": ("postgresql+psycopg2://u@db/sunshine", "postgresql+psycopg2://u@db/sunshine"),
    "CACHE_DIR": ("/tmp/sun-cache", Path("/tmp/sun-cache")),  # noqa: S108  (a path, never written)
    "PORT": ("9000", 9000),
    "SUNSHINE_LANG": ("en", "en"),
    "SECRET_KEY": ("s3cret", "s3cret"),
    "REDIS_URL": ("redis://localhost:6379/0", "redis://localhost:6379/0"),
    "SUNSHINE_DEFAULT_REGION": ("431023", "431023"),
    "SUNSHINE_SESSION_IDLE_MINUTES": ("5", 5),
    "SUNSHINE_SESSION_MAX_HOURS": ("8", 8),
    "SUNSHINE_COOKIE_SECURE": ("0", False),
    "SUNSHINE_AUTH_HEADER": ("X-Remote-User", "X-Remote-User"),
    "SUNSHINE_TRUSTED_PROXIES": ("10.0.0.2, 10.0.0.3", ("10.0.0.2", "10.0.0.3")),
    "SUNSHINE_LOGIN_RATE": ("5/hour", "5/hour"),
    "SUNSHINE_MAX_BODY_MB": ("64", 64),
    "SUNSHINE_REFRESH_SECONDS": ("60", 60),
    "SUNSHINE_FUNDS_LAG_POINTS": ("20,10,0", (20.0, 10.0, 0.0)),
    "SUNSHINE_FLOOR_REPLY": ("0.9", 0.9),
    "SUNSHINE_FLOOR_SATISFACTION": ("0.8", 0.8),
    "SUNSHINE_CEILING_REPEAT": ("0.1", 0.1),
    "SUNSHINE_SPIKE_BASELINE_WEEKS": ("6", 6),
    "SUNSHINE_SPIKE_ALPHA": ("0.01", 0.01),
    "SUNSHINE_SPIKE_MIN_COUNT": ("3", 3),
}


def value_of(settings: Settings, s: st.Setting):
    """The value `s` gave its field: the field itself, or its place in a composite field."""
    parts = st.by_field()[s.field]
    value = getattr(settings, s.field)
    return value if len(parts) == 1 else value[parts.index(s)]


# ---------------------------------------------------------------- the declaration and README

def test_every_variable_is_declared_once():
    assert len(ENVS) == len(set(ENVS))
    assert {"SUNSHINE_SESSION_IDLE_MINUTES", "SUNSHINE_FLOOR_REPLY", "SUNSHINE_SPIKE_ALPHA"} <= set(ENVS)
    assert all(s.doc and s.field for s in SETTINGS)


def test_settings_fields_are_the_declared_fields():
    assert [f.name for f in dataclasses.fields(Settings)] == list(DEFAULTS)
    assert set(st.by_field()) == set(DEFAULTS)
    assert [s.env for s in st.by_field()["complaint_floors"]] == [
        "SUNSHINE_FLOOR_REPLY", "SUNSHINE_FLOOR_SATISFACTION", "SUNSHINE_CEILING_REPEAT"]
    assert [s.env for s in st.by_field()["spike_rule"]] == [
        "SUNSHINE_SPIKE_BASELINE_WEEKS", "SUNSHINE_SPIKE_ALPHA", "SUNSHINE_SPIKE_MIN_COUNT"]


def test_a_class_out_of_step_with_the_declaration_is_refused():
    @dataclasses.dataclass(frozen=True)
    class Wrong:
        database_url: str
        port: int = 8051

    with pytest.raises(TypeError):
        st._declared(Wrong)
    assert st._declared(Settings) is Settings


def test_readme_table_is_the_generated_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count(st.TABLE_BEGIN) == 1 and readme.count(st.TABLE_END) == 1
    between = readme.split(st.TABLE_BEGIN + "\n", 1)[1].split(st.TABLE_END, 1)[0]
    assert between == st.markdown_table(), "README.md is stale: run .venv/bin/python settings.py --readme"
    assert st.readme_with_table(readme) == readme


def test_readme_table_has_one_row_per_variable():
    rows = st.markdown_table().splitlines()[2:]
    assert [row.split(" | ")[0].strip("| `") for row in rows] == ENVS
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert all(readme.count(f"| `{env}` |") == 1 for env in ENVS)


def test_markdown_is_printed_by_the_script():
    command = [sys.executable, str(ROOT / "settings.py"), "--markdown"]
    out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out == st.markdown_table()


# ---------------------------------------------------------------- loading

def test_no_variables_give_the_documented_defaults():
    assert dataclasses.asdict(load_settings({})) == DEFAULTS


def test_dataclass_defaults_are_the_loaded_defaults():
    for f in dataclasses.fields(Settings):
        if f.name == "database_url":
            assert f.default is dataclasses.MISSING  # a Settings made by hand names its database
        else:
            assert f.default == DEFAULTS[f.name], f.name


def test_samples_cover_the_declaration():
    assert set(SAMPLES) == set(ENVS)


@pytest.mark.parametrize("s", SETTINGS, ids=lambda s: s.env)
def test_each_variable_sets_its_field(s):
    text, expected = SAMPLES[s.env]
    loaded = load_settings({s.env: text})
    assert value_of(loaded, s) == expected != value_of(load_settings({}), s)
    others = {f: v for f, v in dataclasses.asdict(loaded).items() if f != s.field}
    moved = {"database_url", "cache_dir"} if s.env == "SUNSHINE_VAR_DIR" else set()
    assert {f: v for f, v in others.items() if f not in moved} == {
        f: v for f, v in DEFAULTS.items() if f != s.field and f not in moved}


def test_defaults_follow_the_var_dir():
    loaded = load_settings({"SUNSHINE_VAR_DIR": "/srv/sunshine"})
    assert loaded.database_url == "sqlite:////srv/sunshine/sunshine.db"
    assert loaded.cache_dir == Path("/srv/sunshine/cache")
    loaded = load_settings({"SUNSHINE_VAR_DIR": "/srv/sunshine", "DATABASE_URL": "sqlite:///x.db",
                            "CACHE_DIR": "/srv/cache"})
    assert (loaded.database_url, loaded.cache_dir) == ("sqlite:///x.db", Path("/srv/cache"))


def test_empty_values():
    """An empty DATABASE_URL or REDIS_URL counts as unset; no trusted proxy when empty."""
    loaded = load_settings({"DATABASE_URL": "", "REDIS_URL": "", "SUNSHINE_TRUSTED_PROXIES": ""})
    assert loaded.database_url == DEFAULTS["database_url"] and loaded.redis_url is None
    assert loaded.trusted_proxies == ()


@pytest.mark.parametrize("env, value", [("SUNSHINE_COOKIE_SECURE", "maybe"), ("SUNSHINE_LOGIN_RATE", "10/week"),
                                        ("SUNSHINE_LOGIN_RATE", "0/minute"), ("SUNSHINE_SESSION_IDLE_MINUTES", "0")])
def test_bad_security_values_name_the_variable(env, value):
    with pytest.raises(ValueError, match=env):
        load_settings({env: value})


def test_the_given_mapping_is_all_that_is_read(monkeypatch):
    monkeypatch.setenv("PORT", "9999")
    assert load_settings({}).port == 8050
    assert load_settings().port == 9999


@pytest.mark.parametrize(("env", "value"), [
    ("PORT", "abc"), ("PORT", "0"), ("SUNSHINE_REFRESH_SECONDS", "0"), ("SUNSHINE_REFRESH_SECONDS", ""),
    ("SUNSHINE_FUNDS_LAG_POINTS", "5,10,15"), ("SUNSHINE_FUNDS_LAG_POINTS", "15,10"),
    ("SUNSHINE_FUNDS_LAG_POINTS", "15,10,x"), ("SUNSHINE_FLOOR_REPLY", "92"),
    ("SUNSHINE_CEILING_REPEAT", "-0.1"), ("SUNSHINE_SPIKE_ALPHA", "0"), ("SUNSHINE_SPIKE_ALPHA", "1.5"),
    ("SUNSHINE_SPIKE_BASELINE_WEEKS", "eight"), ("SUNSHINE_SPIKE_MIN_COUNT", "-1"),
])
def test_a_bad_value_names_its_variable(env, value):
    with pytest.raises(ValueError, match=rf"^{env}="):
        load_settings({env: value})


def test_the_briefing_takes_the_spike_rule_of_the_settings_it_is_given(demo_engine):
    from data.rules.spikes import SpikeRule
    from data.scope import Scope
    from tests.support.demo import DEMO_COUNTY, DEMO_WEEK
    from views.briefing import build_briefing
    given = load_settings({"SUNSHINE_SPIKE_BASELINE_WEEKS": "6", "SUNSHINE_SPIKE_ALPHA": "0.01",
                           "SUNSHINE_SPIKE_MIN_COUNT": "3"})
    b = build_briefing(demo_engine, Scope.of("430000000000"), DEMO_COUNTY, DEMO_WEEK, settings=given)
    assert b is not None and b.rule == SpikeRule(6, 0.01, 3)


# ---------------------------------------------------------------- nobody else reads the environment

# (module path, variable) -> why that read is not a setting. Reported, to be moved out.
ALLOWED_READS: dict[tuple[str, str], str] = {}  # (path, variable): why that read is not a setting


def _key(node: ast.AST | None) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else "?"


def _is_child_env(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """`node` (os.environ) only builds a child process's environment or writes one variable:
    `env=os.environ[.copy()]`, `{**os.environ, ...}`, `os.environ[k] = v`, `del os.environ[k]`,
    `os.environ.update(...)`."""
    parent = parents.get(node)
    if isinstance(parent, ast.Subscript) and parent.value is node:
        return isinstance(parent.ctx, ast.Store | ast.Del)
    if isinstance(parent, ast.Dict):
        return any(k is None and v is node for k, v in zip(parent.keys, parent.values, strict=True))
    if isinstance(parent, ast.Attribute) and parent.attr == "update":
        return True
    if isinstance(parent, ast.Attribute) and parent.attr == "copy":
        node, parent = parents[parent], parents.get(parents[parent])
    return isinstance(parent, ast.keyword) and parent.arg == "env" and parent.value is node


def _read_key(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str:
    """The variable a read of os.environ names ('?' when not a literal)."""
    parent = parents.get(node)
    if isinstance(parent, ast.Subscript):
        return _key(parent.slice)
    if isinstance(parent, ast.Compare):
        return _key(parent.left)
    call = parents.get(parent) if isinstance(parent, ast.Attribute) else None
    return _key(call.args[0]) if isinstance(call, ast.Call) and call.args else "?"


def environment_reads(source: str) -> list[tuple[int, str]]:
    """(line, variable) of every read of the process environment in `source`:
    os.environ[...] / .get / .setdefault / `in`, os.getenv, `from os import environ, getenv`
    (aliases followed). Writes and environments built for a child process are not reads."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    os_names, environ_names, getenv_names = set(), set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            os_names |= {a.asname or a.name for a in node.names if a.name == "os"}
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            environ_names |= {a.asname or a.name for a in node.names if a.name in ("environ", "environb")}
            getenv_names |= {a.asname or a.name for a in node.names if a.name in ("getenv", "getenvb")}
    reads = []
    for node in ast.walk(tree):
        is_os_attr = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
            and node.value.id in os_names
        if (is_os_attr and node.attr in ("environ", "environb")) or \
                (isinstance(node, ast.Name) and node.id in environ_names):
            if not _is_child_env(node, parents):
                reads.append((node.lineno, _read_key(node, parents)))
        elif (is_os_attr and node.attr in ("getenv", "getenvb")) or \
                (isinstance(node, ast.Name) and node.id in getenv_names):
            call = parents.get(node)
            reads.append((node.lineno, _key(call.args[0]) if isinstance(call, ast.Call) and call.args else "?"))
    return sorted(reads)


@pytest.mark.parametrize(("source", "reads"), [
    ("import os\nos.environ.get('A')", [(2, "A")]),
    ("import os\nx = os.environ['A']", [(2, "A")]),
    ("import os\n'A' in os.environ", [(2, "A")]),
    ("import os\nos.environ.setdefault('A', '1')", [(2, "A")]),
    ("import os as o\no.getenv('A')", [(2, "A")]),
    ("from os import environ\nenviron.get('A')", [(2, "A")]),
    ("from os import getenv as g\ng('A')", [(2, "A")]),
    ("import os\nfor k in os.environ: pass", [(2, "?")]),
    ("import os\nos.environ['A'] = '1'\ndel os.environ['B']\nos.environ.update(C='1')", []),
    ("import os\nrun(env={**os.environ, 'HOME': '/tmp'})\nrun(env=os.environ.copy())\nrun(env=os.environ)", []),
    ("import os\nenv = {**os.environ, 'PORT': '1'}", []),
    ("environ = {}\nenviron.get('A')", []),
])
def test_environment_reads_finds_reads_not_writes(source, reads):
    assert environment_reads(source) == reads


def project_modules() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if not SKIP & set(p.relative_to(ROOT).parts))


def test_only_settings_reads_the_environment():
    assert environment_reads((ROOT / "settings.py").read_text(encoding="utf-8")), "the check finds nothing"
    found = {(p.relative_to(ROOT).as_posix(), line, key) for p in project_modules() if p != ROOT / "settings.py"
             for line, key in environment_reads(p.read_text(encoding="utf-8"))}
    unexpected = sorted(f"{path}:{line}: reads {key}" for path, line, key in found
                        if (path, key) not in ALLOWED_READS)
    assert not unexpected, "read the setting in settings.py (SETTINGS) and pass it in:\n" + "\n".join(unexpected)
    stale = set(ALLOWED_READS) - {(path, key) for path, _, key in found}
    assert not stale, f"no longer read, drop from ALLOWED_READS: {sorted(stale)}"
