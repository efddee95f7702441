"""The one import point of the data model: raw tables (data.model.schema) and rollups.

    from data.model import metadata, ALL_TABLES, Complaint, RollupComplaintTW
"""
from __future__ import annotations

from data.model.rollups import *
from data.model.rollups import ROLLUP_CLASSES, ROLLUP_TABLES
from data.model.schema import *
from data.model.schema import Base

metadata = Base.metadata
ALL_TABLES = tuple(metadata.sorted_tables)
