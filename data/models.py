"""The one import point of the data model: raw tables (data.schema) and rollups.

    from data.models import metadata, ALL_TABLES, Complaint, RollupComplaintTW
"""
from __future__ import annotations

from data.rollup_schema import *  # noqa: F401,F403  (re-export every rollup class)
from data.rollup_schema import ROLLUP_CLASSES, ROLLUP_TABLES  # noqa: F401
from data.schema import *  # noqa: F401,F403  (re-export every raw table class)
from data.schema import Base

metadata = Base.metadata
ALL_TABLES = tuple(metadata.sorted_tables)
