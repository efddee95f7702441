"""The base geography every database holds from `python cli.py upgrade-db` on: the real
division tree of China down to county level (codes, names, levels, parents), so any
county can import its own townships and villages without a demo. Rows already there
(a demo's official regions, an import's) are left as they are.
"""
from __future__ import annotations

from sqlalchemy import insert, select

from data.model.migrate import upgrade
from data.model.schema import Region
from geo.boundaries import division_tree


def ensure_division_tree(conn) -> int:
    """Insert the tree's regions not stored yet; returns how many were added."""
    present = set(conn.execute(select(Region.code)).scalars())
    tree = division_tree()
    missing = tree[~tree["code"].isin(present)]
    if missing.empty:
        return 0
    rows = missing.assign(population=0, is_demo=False).to_dict("records")
    conn.execute(insert(Region.__table__), rows)
    return len(rows)


def prepare_database(engine) -> None:
    """Schema at the newest revision, and the base division tree in it."""
    upgrade(engine)
    with engine.begin() as conn:
        ensure_division_tree(conn)
