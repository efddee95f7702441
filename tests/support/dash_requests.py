"""Forged Dash callback requests: the JSON body the renderer POSTs to
/_dash-update-component, built from the app's callback map for any callback, with any
values (None by default). Pattern-matching ids get a concrete key for MATCH; an ALL
input is sent as a list of one entry.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator

WILDCARDS = ('["MATCH"]', '["ALL"]', '["ALLSMALLER"]')


def _concrete(dep_id: str, key: str = "complaints-open") -> tuple[object, bool]:
    """(the id as the browser sends it, whether it is an ALL list)."""
    if not dep_id.startswith("{"):
        return dep_id, False
    spec = json.loads(dep_id)
    many = any(v == ["ALL"] or v == ["ALLSMALLER"] for v in spec.values())
    return {k: (key if v == ["MATCH"] else "png" if isinstance(v, list) else v) for k, v in spec.items()}, many


def _dependency(dep: dict, value) -> object:
    dep_id, many = _concrete(dep["id"])
    entry = {"id": dep_id, "property": dep["property"], "value": value}
    return [entry] if many else entry


def _outputs(key: str, spec) -> object:
    outputs = spec if isinstance(spec, list) else [spec]
    built = []
    for out in outputs:
        out_id, many = _concrete(out.component_id_str())
        entry = {"id": out_id, "property": out.component_property}
        built.append([entry] if many else entry)
    return built if isinstance(spec, list) else built[0]


def payload(callback_map: dict, key: str, values: Callable[[dict], object] = lambda dep: None) -> dict:
    """The request body for callback `key` of the map; `values(dep)` gives each input's
    and state's value (dep: {"id", "property"})."""
    spec = callback_map[key]
    inputs = [_dependency(d, values(d)) for d in spec["inputs"]]
    state = [_dependency(d, values(d)) for d in spec["state"]]
    first = inputs[0] if inputs else None
    if isinstance(first, list):  # an ALL input: its one entry is what changed
        first = first[0]
    changed = []
    if isinstance(first, dict):
        first_id = first["id"]
        if isinstance(first_id, dict):
            first_id = json.dumps(first_id, sort_keys=True, separators=(",", ":"))
        changed = [f"{first_id}.{first['property']}"]
    return {"output": key, "outputs": _outputs(key, spec["output"]), "inputs": inputs, "state": state,
            "changedPropIds": changed}


def server_callbacks(callback_map: dict) -> Iterator[str]:
    """Keys of the callbacks that run on the server."""
    for key, spec in callback_map.items():
        if spec.get("callback") is not None:
            yield key


def post(client, body: dict):
    return client.post("/_dash-update-component", json=body, headers={"Origin": "http://localhost"})
