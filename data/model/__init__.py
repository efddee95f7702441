"""The data model: every table, raw (schema.py), rollup (rollups.py) and accounts (access.py),
on one metadata.

    from data.model import metadata, ALL_TABLES, ROLLUP_TABLES

Importing this package registers every table and index; Alembic (migrations/env.py)
compares this metadata with the database. db.py opens engines, migrate.py upgrades the
schema, version.py reads the dataset's generation stamp.
"""
from __future__ import annotations

from data.model.access import AppUser
from data.model.rollups import ROLLUP_CLASSES, ROLLUP_TABLES
from data.model.schema import Base

metadata = Base.metadata
ALL_TABLES = tuple(metadata.sorted_tables)
__all__ = ["ALL_TABLES", "ROLLUP_CLASSES", "ROLLUP_TABLES", "AppUser", "Base", "metadata"]
