"""Component ids are unique, and dict ids carry keys, not data encoded into strings."""
from __future__ import annotations

import json

import ids
from components.navbar import NAV_PAGES


def _all_ids():
    plain = list(ids.PLAIN_IDS)
    pattern = [ids.nav_link(k) for k, _ in NAV_PAGES] + [ids.lang_link(x) for x in ("zh-CN", "en")]
    pattern += [ids.page_root(k) for k, _ in NAV_PAGES] + [ids.page_root("not_found")]
    return plain, pattern


def test_plain_ids_are_unique_and_listed():
    constants = [v for k, v in vars(ids).items() if k.isupper() and isinstance(v, str)
                 and not k.endswith(("_TYPE", "_CHART"))]
    assert len(set(ids.PLAIN_IDS)) == len(ids.PLAIN_IDS)
    assert sorted(set(constants)) == sorted(ids.PLAIN_IDS)


def test_pattern_ids_are_unique_and_do_not_clash():
    plain, pattern = _all_ids()
    keys = [json.dumps(p, sort_keys=True) for p in pattern]
    assert len(set(keys)) == len(keys)
    assert not set(ids.PATTERN_TYPES) & set(plain)
    assert len(set(ids.PATTERN_TYPES)) == len(ids.PATTERN_TYPES)


def test_shell_layout_has_no_duplicate_ids():
    from components.shell import app_layout
    seen = []

    def walk(node):
        if hasattr(node, "to_plotly_json"):
            node_id = getattr(node, "id", None)
            if node_id is not None:
                seen.append(json.dumps(node_id, sort_keys=True))
            children = getattr(node, "children", None)
            for child in children if isinstance(children, (list, tuple)) else [children]:
                walk(child)

    walk(app_layout("zh-CN"))
    assert len(seen) == len(set(seen)) and len(seen) > 10


def test_every_page_module_lists_its_ids_and_no_id_is_used_twice():
    """ids/ has one module per page plus the shell's (the package itself): each lists its
    plain ids in PLAIN_IDS, and no id string appears in two modules."""
    import importlib
    import pkgutil
    modules = [ids] + [importlib.import_module(f"ids.{m.name}") for m in pkgutil.iter_modules(ids.__path__)]
    assert {m.__name__ for m in modules} >= {"ids", "ids.overview", "ids.map", "ids.funds", "ids.complaints"}
    seen: dict[str, str] = {}
    for module in modules:
        listed = getattr(module, "PLAIN_IDS", ())
        assert len(set(listed)) == len(listed), module.__name__
        for value in listed:
            assert value not in seen, (value, module.__name__, seen.get(value))
            seen[value] = module.__name__
