"""User-interface text in Chinese (default) and English: `t(key, lang, **fmt)`.

The catalogs `zh_CN.json` and `en.json` hold the shared keys; each page may add its
own namespace in `zh_CN/<page>.json` and `en/<page>.json` (merged at load; a key defined
twice is an error). tests/i18n/test_i18n.py checks parity and placeholders. Terms follow the
team's glossary (GLOSSARY.md, zh-CN <-> en) so that county officials and engineers mean the
same thing. This package imports neither dash nor flask.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

DEFAULT_LANG = "zh-CN"
LANGS = ("zh-CN", "en")
_FILES = {"zh-CN": "zh_CN.json", "en": "en.json"}
_DIR = Path(__file__).resolve().parent


def normalize_lang(value: object) -> str:
    """Map any user-supplied language value to 'en' or 'zh-CN' (the default).

    'en', 'EN', 'en-US', 'en_GB' -> 'en'; anything else (None, 'zh', 'fr', a list
    from a repeated query parameter ...) -> 'zh-CN'. A list uses its last item.
    """
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    if isinstance(value, str) and value.strip().lower().replace("_", "-").split("-")[0] == "en":
        return "en"
    return DEFAULT_LANG


def catalog_files(lang: str) -> list[Path]:
    """The base catalog file of a language, then its per-page files in name order."""
    base = _DIR / _FILES[normalize_lang(lang)]
    return [base, *sorted((_DIR / base.stem).glob("*.json"))]


@cache
def catalog(lang: str) -> Mapping[str, str]:
    """The read-only key -> text mapping of a language (loaded once per process)."""
    merged: dict[str, str] = {}
    for path in catalog_files(lang):
        entries = json.loads(path.read_text(encoding="utf-8"))
        twice = sorted(set(entries) & set(merged))
        if twice:
            raise ValueError(f"{path}: keys already defined in another catalog file: {twice[:5]}")
        merged.update(entries)
    return MappingProxyType(merged)


def has_key(key: str) -> bool:
    """True when `key` exists in the default catalog."""
    return key in catalog(DEFAULT_LANG)


def t(key: str, lang: str | None = None, **fmt: object) -> str:
    """The text of `key` in `lang` (zh-CN when None), with `{name}` placeholders filled.

    An unknown key returns the key itself, so a missing translation is visible on the
    screen instead of breaking the page (tests catch it before that).
    """
    text = catalog(normalize_lang(lang)).get(key)
    if text is None:
        text = catalog(DEFAULT_LANG).get(key, key)
    return text.format(**fmt) if fmt else text
