"""Caching of callback results, keyed by scope and data version (DESIGN.md §6).

A result computed for one user's scope is never served to another scope; a new data
load changes `data_version`, so stale results are never served after an import.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from runtime import data_version, get_cache


def cache_key(name: str, scope, *args: Any, version: str) -> str:
    raw = repr((name, tuple(sorted(scope.codes)), args, version))
    return f"cb:{name}:{hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()}"


def memoized(name: str, scope, *args: Any, compute: Callable[[], Any]) -> Any:
    """`compute()` once per (name, scope, args, data version); later calls read the cache."""
    cache = get_cache()
    key = cache_key(name, scope, *args, version=data_version())
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value)
    return value
