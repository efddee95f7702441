"""Stored rows in, inside the caller's transaction: new keys inserted, stored keys with new
content replaced (the previous version kept in `replaced_row` with the batch that
replaced it), the same content left alone; and `undo_batch`, which puts back what a batch
replaced and removes what it added.

Nothing here commits: the import service (service.py) runs a whole file - rows, rejected
rows, rollups, rules, the batch row - in one transaction, so a file is in or out whole
and an import killed at any moment leaves the database as it was.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Integer,
    Numeric,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    tuple_,
    update,
)

from data.intake.convert import TARGETS, Target
from data.model.db import insert_plain, storage_text
from data.model.schema import Complaint, ImportBatch, ReplacedRow

KEY_CHUNK = 2000


@dataclass
class Outcome:
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    places: set[str] = field(default_factory=set)  # village (or other region) codes touched


def load_rows(conn, target: Target, frame: pd.DataFrame, batch_id: int) -> Outcome:
    """Insert the new keys of `frame`, replace the changed ones, count the same ones."""
    if frame.empty:
        return Outcome()
    table = target.table
    stored = stored_rows(conn, table, target.key, frame)
    compared = [c for c in frame.columns if c in table.c and c not in ("id", "batch_id", *target.key)]
    new, changed, same = _split(_keep_stored(frame, stored, target), stored, target.key, compared, table)
    if target.has_id:  # new rows take the next ids (unless the build gave them, as programmes')
        if "id" not in frame:
            start = next_id(conn, table)
            new = new.assign(id=np.arange(start, start + len(new)))
        changed = changed.assign(id=changed["_stored_id"].astype(np.int64)) if len(changed) else changed
    if "repeat_of_no" in frame:
        new, changed = _link_repeats(conn, new, changed)
    _keep_previous(conn, target, stored, changed, batch_id)
    _insert(conn, table, new.assign(batch_id=batch_id) if "batch_id" in table.c else new)
    _update(conn, target, changed.assign(batch_id=batch_id) if "batch_id" in table.c else changed)
    places: set[str] = set()
    if target.village_column:
        places |= set(new[target.village_column]) | set(changed[target.village_column])
        if len(changed):
            places |= set(stored.loc[stored["_key"].isin(set(changed["_key"])), target.village_column])
    return Outcome(len(new), len(changed), same, places)


def stored_rows(conn, table: Table, key: tuple[str, ...], frame: pd.DataFrame) -> pd.DataFrame:
    """The stored rows (every column) whose key is one of `frame`'s, with a `_key` column."""
    columns = [c.name for c in table.columns]
    if conn.execute(select(func.count()).select_from(table)).scalar_one() == 0:
        return pd.DataFrame(columns=[*columns, "_key"])
    keys = list(dict.fromkeys(zip(*(frame[k] for k in key))))
    target = tuple_(*(table.c[k] for k in key)) if len(key) > 1 else table.c[key[0]]
    parts = []
    for start in range(0, len(keys), KEY_CHUNK):
        chunk = keys[start:start + KEY_CHUNK] if len(key) > 1 else [k[0] for k in keys[start:start + KEY_CHUNK]]
        rows = conn.execute(select(table).where(target.in_(chunk))).all()
        parts.append(pd.DataFrame(rows, columns=columns))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    return out.assign(_key=_keys(out, key))


def next_id(conn, table: Table) -> int:
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


def _keys(frame: pd.DataFrame, key: tuple[str, ...]) -> pd.Series:
    if frame.empty:
        return pd.Series([], dtype=object)
    joined = frame[key[0]].astype(str)
    for name in key[1:]:
        joined = joined + "|" + frame[name].astype(str)
    return joined


def _keep_stored(frame: pd.DataFrame, stored: pd.DataFrame, target: Target) -> pd.DataFrame:
    """`frame` with the stored value in the keep_when_empty columns its rows leave empty."""
    if stored.empty or not target.keep_when_empty:
        return frame
    keys = _keys(frame, target.key).to_numpy()
    old = stored.set_index("_key")
    frame = frame.copy()
    for name in target.keep_when_empty:
        kept = pd.Series(keys, index=frame.index).map(old[name])
        frame[name] = frame[name].where(frame[name].notna(), kept)
    return frame


def _split(frame, stored, key, compared, table) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """(new rows, changed rows with `_stored_id`, how many are the same as stored)."""
    frame = frame.assign(_key=_keys(frame, key).to_numpy())
    if stored.empty:
        return frame, frame.iloc[:0].assign(_stored_id=pd.Series(dtype=np.int64)), 0
    known = frame["_key"].isin(set(stored["_key"])).to_numpy()
    old = stored.set_index("_key").loc[frame["_key"][known]]
    mine = frame[known]
    differs = np.zeros(len(mine), dtype=bool)
    for name in compared:
        differs |= canonical(mine[name], table.c[name].type) != canonical(old[name], table.c[name].type)
    changed = mine[differs].copy()
    if "id" in stored:
        changed["_stored_id"] = old["id"].to_numpy()[differs]
    return frame[~known], changed, int((~differs).sum())


def canonical(values: pd.Series, kind) -> np.ndarray:
    """Text of each value as the comparison sees it: dates 'YYYY-MM-DD', moments to the
    second, money to the cent, flags 1/0, missing ''."""
    def one(v) -> str:
        if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return ""
        if isinstance(kind, DateTime):
            return str(pd.Timestamp(v))[:19]
        if isinstance(kind, Date):
            return str(pd.Timestamp(v).date())
        if isinstance(kind, Numeric):
            return f"{float(v):.2f}"
        if isinstance(kind, (Integer, Boolean)):
            return str(int(v))
        return str(v)
    unique = pd.unique(values.astype(object))
    text = {v: one(v) for v in unique if not _is_missing(v)}
    return np.array([text[v] if not _is_missing(v) else "" for v in values.astype(object)], dtype=object)


def _is_missing(v) -> bool:
    return v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and np.isnan(v))


def _link_repeats(conn, new: pd.DataFrame, changed: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """repeat_of (an id) from repeat_of_no (a complaint_no stored or in this file)."""
    wanted = set(new["repeat_of_no"]) | set(changed["repeat_of_no"])
    wanted.discard("")
    ids: dict[str, int] = {}
    for chunk in _chunks(sorted(wanted)):
        ids.update(conn.execute(select(Complaint.case_no, Complaint.id).where(Complaint.case_no.in_(chunk))).all())
    ids.update(zip(new["case_no"], new["id"]))
    if len(changed):
        ids.update(zip(changed["case_no"], changed["id"]))
    def link(frame):
        return frame.assign(repeat_of=frame["repeat_of_no"].map(ids).astype("Int64"))
    return link(new), link(changed)


def _chunks(items: list, size: int = KEY_CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _insert(conn, table: Table, frame: pd.DataFrame) -> None:
    if len(frame):
        insert_plain(conn, table, storage_text(table, frame))


def _update(conn, target: Target, changed: pd.DataFrame) -> None:
    """Replace the changed rows in place (ids and keys stay: other rows refer to them)."""
    if changed.empty:
        return
    table = target.table
    where = ["id"] if target.has_id else list(target.key)
    columns = [c.name for c in table.columns if c.name in changed and c.name not in where]
    statement = update(table).where(*(table.c[c] == bindparam(f"k_{c}") for c in where)).values(
        {c: bindparam(c) for c in columns})
    rows = python_rows(table, changed[columns + where])
    conn.execute(statement, [{**{c: r[c] for c in columns}, **{f"k_{c}": r[c] for c in where}} for r in rows])


def python_rows(table: Table, frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of Python values of the columns' types (what SQLAlchemy binds)."""
    out = []
    kinds = {c: table.c[c].type for c in frame.columns if c in table.c}
    for record in frame.astype(object).to_dict("records"):
        out.append({c: _python(v, kinds.get(c)) for c, v in record.items()})
    return out


def _python(v, kind):
    if _is_missing(v):
        return None
    if isinstance(kind, DateTime):
        return pd.Timestamp(v).to_pydatetime()
    if isinstance(kind, Date):
        return pd.Timestamp(v).date()
    if isinstance(kind, Numeric):
        return Decimal(str(round(float(v), 2)))
    if isinstance(kind, Boolean):
        return bool(v)
    if isinstance(kind, Integer):
        return int(v)
    return v.item() if hasattr(v, "item") else v


def _keep_previous(conn, target: Target, stored: pd.DataFrame, changed: pd.DataFrame, batch_id: int) -> None:
    """The stored version of every changed row, as JSON, with the replacing batch."""
    if changed.empty:
        return
    previous = stored[stored["_key"].isin(set(changed["_key"]))]
    rows = [{"batch_id": batch_id, "table_name": target.table.name, "row_key": key[:80],
             "content": _json_row(row)}
            for key, row in zip(previous["_key"], previous.drop(columns="_key").to_dict("records"))]
    conn.execute(insert(ReplacedRow.__table__), rows)


def _json_row(row: dict) -> dict:
    def plain(v):
        if _is_missing(v):
            return None
        if isinstance(v, (dt.date, dt.datetime)):
            return v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v.isoformat()
        if isinstance(v, Decimal):
            return str(v)
        return v.item() if hasattr(v, "item") else v
    return json.loads(json.dumps({k: plain(v) for k, v in row.items()}, ensure_ascii=False))


# ---------------------------------------------------------------- undo

class UndoRefused(ValueError):
    """A batch that cannot be undone (unknown, a demo load, already undone, or a later
    batch replaced rows it loaded)."""


def undo_batch(conn, batch_id: int) -> dict:
    """Remove what batch `batch_id` added and put back what it replaced; returns
    {'removed', 'restored', 'places'} (places: region codes touched, for the rollups)."""
    batch = conn.execute(select(ImportBatch.__table__).where(ImportBatch.id == batch_id)).mappings().first()
    if batch is None:
        raise UndoRefused(f"导入批次 {batch_id} 不存在 / no import batch {batch_id}")
    if batch["kind"] != "import":
        raise UndoRefused(f"批次 {batch_id} 不是文件导入（{batch['kind']}），不能撤销 / batch {batch_id} is not a file import")
    if batch["undone_at"] is not None:
        raise UndoRefused(f"批次 {batch_id} 已于 {batch['undone_at']:%Y-%m-%d %H:%M} 撤销 / already undone")
    target = TARGETS[batch["dataset"]]
    table = target.table
    later = _later_replacements(conn, table, batch_id)
    if later:
        raise UndoRefused(f"批次 {batch_id} 导入的数据已被后来的批次 {', '.join(map(str, later))} 修改，请先撤销它们"
                          f" / later batches {later} replaced rows of this batch: undo them first")
    places: set[str] = set()
    column = target.village_column
    if column:
        places |= set(conn.execute(select(table.c[column]).where(table.c.batch_id == batch_id)).scalars())
    removed = conn.execute(delete(table).where(table.c.batch_id == batch_id)).rowcount
    replaced = conn.execute(select(ReplacedRow.content).where(ReplacedRow.batch_id == batch_id)).scalars().all()
    if replaced:
        frame = pd.DataFrame(list(replaced))
        conn.execute(insert(table), python_rows(table, frame))
        if column:
            places |= set(frame[column])
    conn.execute(update(ImportBatch.__table__).where(ImportBatch.id == batch_id).values(
        undone_at=dt.datetime.now().replace(microsecond=0)))
    return {"removed": removed - len(replaced), "restored": len(replaced), "places": places,
            "dataset": batch["dataset"]}


def _later_replacements(conn, table: Table, batch_id: int) -> list[int]:
    """Batches after `batch_id`, not undone, that replaced a row `batch_id` had loaded."""
    rows = conn.execute(select(ReplacedRow.batch_id, ReplacedRow.content)
                        .join(ImportBatch.__table__, ImportBatch.id == ReplacedRow.batch_id)
                        .where(ReplacedRow.table_name == table.name, ReplacedRow.batch_id > batch_id,
                               ImportBatch.undone_at.is_(None))).all()
    return sorted({b for b, content in rows if (content or {}).get("batch_id") == batch_id})
