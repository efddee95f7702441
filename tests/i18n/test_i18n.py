"""The two catalogs have the same keys and placeholders, and every key the code uses exists."""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from i18n import catalog, normalize_lang, t

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "tests", "var", "node_modules", ".git", "migrations"}
# t("key" ...) with a literal first argument; dynamic keys are checked where they are built.
T_CALL = re.compile(r"""\bt\(\s*(?:f?)["']([^"'{}]+)["']""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_catalogs_have_the_same_keys():
    zh, en = catalog("zh-CN"), catalog("en")
    assert sorted(set(zh) - set(en)) == []
    assert sorted(set(en) - set(zh)) == []


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_no_empty_values(lang):
    assert [k for k, v in catalog(lang).items() if not str(v).strip()] == []


def test_placeholders_match():
    zh, en = catalog("zh-CN"), catalog("en")
    assert {k: (_placeholders(zh[k]), _placeholders(en[k])) for k in zh
            if _placeholders(zh[k]) != _placeholders(en[k])} == {}


def _source_files():
    for path in ROOT.rglob("*.py"):
        if not SKIP_DIRS & set(path.relative_to(ROOT).parts):
            yield path


def test_every_key_used_in_the_code_exists():
    used = {(p.name, key) for p in _source_files() for key in T_CALL.findall(p.read_text("utf-8"))}
    assert used, "the scan found no t() calls at all"
    assert sorted((f, k) for f, k in used if k not in catalog("zh-CN")) == []


def test_dynamic_keys_of_the_shell_exist():
    from components.navbar import NAV_PAGES
    keys = [f"nav.{k}" for k, _ in NAV_PAGES] + [f"page.{k}.title" for k, _ in NAV_PAGES]
    assert [k for k in keys if k not in catalog("zh-CN")] == []


def test_glossary_terms_are_used():
    zh = catalog("zh-CN")
    assert zh["kpi.on_time_completion_rate"] == "按期办结率"
    assert zh["kpi.complaints_per_10k"] == "万人投诉量"
    assert zh["channel.photo"] == "随手拍"
    assert zh["warning_stage.closed"] == "销号"


@pytest.mark.parametrize("value, expected", [
    ("en", "en"), ("en-US", "en"), ("EN_gb", "en"), (["zh", "en"], "en"),
    (None, "zh-CN"), ("", "zh-CN"), ("zh", "zh-CN"), ("fr", "zh-CN"), (3, "zh-CN"),
])
def test_normalize_lang(value, expected):
    assert normalize_lang(value) == expected


def test_t_formats_and_falls_back():
    assert t("common.as_of", "en", date="2026-11-15") == "Data as of 2026-11-15"
    assert t("nav.map") == "热点地图"
    assert t("no.such.key", "en") == "no.such.key"


def test_indicator_and_attention_keys_exist():
    indicators = pytest.importorskip("data.indicators")
    zh = catalog("zh-CN")
    keys = [f"{kind}.{k}" for k in indicators.INDICATORS for kind in ("kpi", "formula")]
    keys += [f"attention.component.{k}" for k in indicators.ATTENTION_WEIGHTS]
    judgement = pytest.importorskip("data.judgement")  # reasons are worded by the judgement
    keys += [f"judge.benchmark.{j.benchmark}" for j in judgement.judgements().values()]
    assert [k for k in keys if k not in zh] == []


def test_a_change_that_prints_as_zero_is_flat():
    """−0.04 percentage points prints as 0.0: shown as '±0.0', not '▼ −0.0'."""
    from data.judgement import change_direction
    from i18n.numbers import format_change
    assert "±0.0" in format_change(-0.04, "rate", "zh-CN")
    assert change_direction("satisfaction_rate", 0.9000, 0.9004) == "flat"
    assert "−0.1" in format_change(-0.06, "rate", "zh-CN")
    assert change_direction("satisfaction_rate", 0.9000, 0.9006) == "worse"
    assert format_change(0.04, "count", "en") == "±0.0%"
