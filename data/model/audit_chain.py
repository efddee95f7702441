"""The hash chain of audit_log: one definition, used by the writer, the verifier and the
migration that chained the rows written before the chain existed.

row_hash = SHA-256 of the previous row's hash and the row's fields in a fixed JSON form;
the first row's previous hash is GENESIS. Editing a row changes its hash; deleting one
leaves the next row pointing at a hash that is no longer there.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping

GENESIS = "0" * 64
HASHED = ("id", "at", "user", "action", "object", "region_code", "detail", "address", "scope")


def _plain(value):
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="microseconds")
    return value


def digest(prev_hash: str, row: Mapping) -> str:
    """The row's hash, chained to `prev_hash`."""
    fields = [prev_hash] + [_plain(row.get(name)) for name in HASHED]
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
