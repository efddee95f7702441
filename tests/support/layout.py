"""Reading a page's layout (a tree of Dash components) in tests."""
from __future__ import annotations

import json


def components_by_id(layout) -> dict:
    """Every component of `layout` that has an id, keyed by the id (dict ids as sorted JSON)."""
    found: dict = {}

    def walk(node):
        node_id = getattr(node, "id", None)
        if isinstance(node_id, (str, dict)):
            found[key_of(node_id)] = node
        children = getattr(node, "children", None)
        for child in children if isinstance(children, (list, tuple)) else [children]:
            if hasattr(child, "to_plotly_json"):
                walk(child)
    walk(layout)
    return found


def key_of(node_id) -> str:
    return node_id if isinstance(node_id, str) else json.dumps(node_id, sort_keys=True)
