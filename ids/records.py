"""Component ids of the shared records grid (components/records_grid.py).

Every id is a pattern-matching dict keyed by the grid key a page chooses (e.g.
"map-records"), so several grids can live on one page and callbacks/records.py serves
them all with MATCH.
"""
from __future__ import annotations

GRID_TYPE = "records-grid"
QUERY_TYPE = "records-query"
EXPORT_TYPE = "records-export"
DOWNLOAD_TYPE = "records-download"
STATUS_TYPE = "records-status"
TITLE_TYPE = "records-title"
FIRST_TYPE = "records-first"
FETCH_TYPE = "records-fetch"


def grid(key: object) -> dict:
    """The dash-ag-grid AgGrid of a records grid."""
    return {"type": GRID_TYPE, "key": key}


def query(key: object) -> dict:
    """The dcc.Store the page sets to {"source", "params", "lang"}."""
    return {"type": QUERY_TYPE, "key": key}


def export(key: object, fmt: object) -> dict:
    """An export button ('csv' or 'xlsx')."""
    return {"type": EXPORT_TYPE, "key": key, "fmt": fmt}


def download(key: object) -> dict:
    """The dcc.Download of the grid's exports."""
    return {"type": DOWNLOAD_TYPE, "key": key}


def status(key: object) -> dict:
    """The line under the grid: row count, export cap notes, errors."""
    return {"type": STATUS_TYPE, "key": key}


def title(key: object) -> dict:
    """The grid's caption (the source's name)."""
    return {"type": TITLE_TYPE, "key": key}


def first(key: object) -> dict:
    """The dcc.Store holding the first block of rows, computed with the page's layout."""
    return {"type": FIRST_TYPE, "key": key}


def fetch(key: object) -> dict:
    """The dcc.Store relaying a row request the first block does not answer to the server."""
    return {"type": FETCH_TYPE, "key": key}


PATTERN_TYPES = (GRID_TYPE, QUERY_TYPE, EXPORT_TYPE, DOWNLOAD_TYPE, STATUS_TYPE, TITLE_TYPE,
                 FIRST_TYPE, FETCH_TYPE)
