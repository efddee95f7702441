"""Component ids of the place search box (components/search.py): the navbar's and the one
beside each page's region picker. Pattern-matching dicts keyed by where the box sits
("navbar", or a page key), so callbacks/search.py serves them all with MATCH / ALL."""
from __future__ import annotations

BOX_TYPE = "region-search"
TEXT_TYPE = "region-search-text"
NAVBAR = "navbar"  # the `where` of the navbar's box


def box(where: object) -> dict:
    """The dcc.Dropdown a person types into and picks from."""
    return {"type": BOX_TYPE, "where": where}


def text(where: object) -> dict:
    """The dcc.Store of the box's typed text once typing pauses (the server searches that)."""
    return {"type": TEXT_TYPE, "where": where}


PLAIN_IDS: tuple[str, ...] = ()
PATTERN_TYPES = (BOX_TYPE, TEXT_TYPE)
