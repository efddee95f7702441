"""Data layer: schema, database access, demo data, rollups, queries, indicators.

Nothing in this package imports dash.
"""
