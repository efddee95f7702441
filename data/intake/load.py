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
import io
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
    insert,
    select,
    text,
    update,
)

from data.intake.convert import TARGETS, Target, complaint_ids, next_id
from data.model.db import insert_plain, storage_text
from data.model.schema import Complaint, ImportBatch, ReplacedRow
from data.rollups.bounds import Bounds, frame_bounds

KEY_TABLE = "import_keys_tmp"


@dataclass
class Outcome:
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    places: set[str] = field(default_factory=set)  # village (or other region) codes touched
    pending: list[tuple[str, str]] = field(default_factory=list)  # (case_no, repeat_of_no) not linked yet
    written: Bounds = field(default_factory=Bounds)  # the dates of the rows written

    def add(self, other: Outcome) -> None:
        self.loaded += other.loaded
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.places |= other.places
        self.pending += other.pending
        self.written = self.written.merge(other.written)


def load_rows(conn, target: Target, frame: pd.DataFrame, batch_id: int, *, fresh: bool = False) -> Outcome:
    """Insert the new keys of `frame`, replace the changed ones, count the same ones.
    `fresh`: the table held nothing when this file began and its keys are unique, so
    every row is new (no stored row to look up)."""
    if frame.empty:
        return Outcome()
    table = target.table
    compared = [c for c in frame.columns if c in table.c and c not in ("id", "batch_id", *target.key)]
    frame = frame.assign(_key=_keys(frame, target.key).to_numpy())
    stored = _no_rows(table) if fresh else stored_rows(conn, table, target.key, frame)
    new, changed, same = _split(_keep_stored(frame, stored, target), stored, compared, table)
    if target.has_id:  # new rows take the next ids (unless the build gave them, as programmes')
        if "id" not in frame:
            start = next_id(conn, table)
            new = new.assign(id=np.arange(start, start + len(new)))
        changed = changed.assign(id=changed["_stored_id"].astype(np.int64)) if len(changed) else changed
    pending: list[tuple[str, str]] = []
    if "repeat_of_no" in frame:
        new, changed = _link_repeats(conn, new, changed)
        for part in (new, changed):
            open_ = (part["repeat_of_no"] != "") & part["repeat_of"].isna()
            pending += list(zip(part["case_no"][open_], part["repeat_of_no"][open_]))
    _keep_previous(conn, target, stored, changed, batch_id)
    _insert(conn, table, new.assign(batch_id=batch_id) if "batch_id" in table.c else new)
    _update(conn, target, changed.assign(batch_id=batch_id) if "batch_id" in table.c else changed)
    places: set[str] = set()
    if target.village_column:
        places |= set(new[target.village_column]) | set(changed[target.village_column])
        if len(changed):
            places |= set(stored.loc[stored["_key"].isin(set(changed["_key"])), target.village_column])
    written = frame_bounds(table.name, new).merge(frame_bounds(table.name, changed))
    return Outcome(len(new), len(changed), same, places, pending, written)


def link_pending_repeats(conn, pending: list[tuple[str, str]]) -> None:
    """Repeats of a complaint that came later in the same file, linked once all is stored."""
    if not pending:
        return
    table = Complaint.__table__
    ids = complaint_ids(conn, {original for _, original in pending})
    rows = [{"k": case, "r": ids[original]} for case, original in pending if original in ids]
    if rows:
        conn.execute(update(table).where(table.c.case_no == bindparam("k")).values(repeat_of=bindparam("r")), rows)


def stored_rows(conn, table: Table, key: tuple[str, ...], frame: pd.DataFrame) -> pd.DataFrame:
    """The stored rows (every column) whose key is one of `frame`'s, with a `_key` column."""
    columns = [c.name for c in table.columns]
    _fill_key_table(conn, frame[list(key)].drop_duplicates())
    on = " AND ".join(f"t.{k} = k.k{i}" for i, k in enumerate(key))
    listed = ", ".join(f"t.{c}" for c in columns)
    result = conn.execute(text(f"SELECT {listed} FROM {table.name} t JOIN {KEY_TABLE} k ON {on}")
                          .columns(*table.columns))
    out = pd.DataFrame(result.all(), columns=columns)
    return out.assign(_key=_keys(out, key))


def _no_rows(table: Table) -> pd.DataFrame:
    return pd.DataFrame(columns=[*[c.name for c in table.columns], "_key"])


def _fill_key_table(conn, keys: pd.DataFrame) -> None:
    """The keys of a chunk in a temporary table the stored rows are joined to (an index
    lookup a key; an IN list of thousands of row values is not)."""
    names = [f"k{i}" for i in range(keys.shape[1])]
    temp = "TEMPORARY" if conn.dialect.name == "postgresql" else "TEMP"
    conn.execute(text(f"CREATE {temp} TABLE IF NOT EXISTS {KEY_TABLE} (k0 TEXT, k1 TEXT)"))
    conn.execute(text(f"DELETE FROM {KEY_TABLE}"))
    rows = keys.astype(str).set_axis(names, axis=1)
    if conn.dialect.name == "postgresql":
        buffer = io.StringIO()
        rows.to_csv(buffer, index=False, header=False)
        buffer.seek(0)
        conn.connection.driver_connection.cursor().copy_expert(
            f"COPY {KEY_TABLE} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv)", buffer)
    else:
        conn.connection.driver_connection.executemany(
            f"INSERT INTO {KEY_TABLE} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            rows.itertuples(index=False, name=None))


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
    old = stored.set_index("_key")
    frame = frame.copy()
    for name in target.keep_when_empty:
        kept = frame["_key"].map(old[name])
        frame[name] = frame[name].where(frame[name].notna(), kept)
    return frame


def _split(frame, stored, compared, table) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """(new rows, changed rows with `_stored_id`, how many are the same as stored), rows
    matched by their `_key`."""
    if stored.empty:
        return frame, frame.iloc[:0].assign(_stored_id=pd.Series(dtype=np.int64)), 0
    known = frame["_key"].isin(set(stored["_key"])).to_numpy()
    old = stored.set_index("_key").loc[frame["_key"][known]].reset_index(drop=True)
    mine = frame[known]
    differs = np.zeros(len(mine), dtype=bool)
    for name in compared:
        kind = table.c[name].type
        a, b = comparable(mine[name].reset_index(drop=True), kind), comparable(old[name], kind)
        differs |= ~(a.eq(b).fillna(False).to_numpy(dtype=bool) | (a.isna() & b.isna()).to_numpy())
    changed = mine[differs].copy()
    if "id" in stored:
        changed["_stored_id"] = old["id"].to_numpy()[differs]
    return frame[~known], changed, int((~differs).sum())


def comparable(values: pd.Series, kind) -> pd.Series:
    """Values as the comparison sees them, vectorised: moments to the second, dates to the
    day, money to the cent, flags and counts as integers, text as text, missing as NA."""
    if isinstance(kind, (DateTime, Date)):
        moments = pd.to_datetime(values.astype(object).where(values.notna(), None), errors="coerce",
                                 format="mixed")
        return moments.dt.floor("s") if isinstance(kind, DateTime) else moments.dt.normalize()
    if isinstance(kind, Numeric):
        return pd.to_numeric(values.astype(object).map(lambda v: None if _is_missing(v) else float(v)),
                             errors="coerce").round(2)
    if isinstance(kind, (Integer, Boolean)):
        return pd.to_numeric(values.astype(object).map(lambda v: None if _is_missing(v) else int(v)),
                             errors="coerce")
    return values.astype(object).where(values.notna(), None).map(lambda v: None if v is None else str(v))


def _is_missing(v) -> bool:
    return v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and np.isnan(v))


def _link_repeats(conn, new: pd.DataFrame, changed: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """repeat_of (an id) from repeat_of_no (a complaint_no stored or in this file)."""
    ids = complaint_ids(conn, set(new["repeat_of_no"]) | set(changed["repeat_of_no"]))
    ids.update(zip(new["case_no"], new["id"]))
    if len(changed):
        ids.update(zip(changed["case_no"], changed["id"]))
    def link(frame):
        return frame.assign(repeat_of=frame["repeat_of_no"].map(ids).astype("Int64"))
    return link(new), link(changed)


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
