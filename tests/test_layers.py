"""Imports run one way (docs/DEVELOPING.md): a test that walks every import of every module.

Each module belongs to a room (longest matching prefix in ROOMS). A room may import its own
modules and the rooms below it in MAY_IMPORT (and, transitively, what those may import).
Any other edge — upward (callbacks -> app, callbacks -> pages) or sideways (data <-> geo) —
fails, unless it is listed in ALLOWED_EDGES with the reason. A page may call its callbacks'
view functions: its first view is computed in its layout by the same functions (and cache)
the callbacks use for a user's change (issue #16), so pages sit above callbacks. Imports inside functions count:
a lazy import is still a dependency.
"""
from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = {".venv", "tests", "var", "node_modules", "__pycache__"}

ROOMS = {
    "cli": "cli", "bench": "bench", "tools": "tools", "app": "app", "gunicorn.conf": "app",
    "pages": "pages", "callbacks": "callbacks", "components": "components",
    "runtime": "runtime", "web": "web", "ids": "ids", "views": "views", "exports": "exports",
    "figures": "figures", "demo": "demo", "migrations": "migrations", "geo": "geo",
    "data": "data", "data.queries": "queries", "data.records": "records",
    "data.rollups": "rollups", "data.rules": "rules", "data.intake": "intake",
    "data.model": "model", "data.codes": "model",
    "i18n": "i18n", "settings": "settings",
}
# room -> rooms directly below it (what it may import, with what those may import)
MAY_IMPORT = {
    "cli": {"bench", "app", "demo", "migrations"},
    "bench": {"tools"},
    "tools": {"app", "demo"},
    "app": {"pages", "callbacks", "web"},
    "web": {"runtime", "queries"},
    "pages": {"callbacks"},
    "callbacks": {"components"},
    "components": {"runtime", "ids", "views"},
    "runtime": {"data", "settings"},
    "ids": set(),
    "views": {"exports", "figures", "records", "rules", "geo", "intake"},
    "exports": {"figures", "geo", "intake"},
    "figures": {"data", "i18n"},
    "demo": {"intake"},
    "intake": {"geo", "rollups", "rules"},
    "migrations": {"model"},
    "records": {"queries"},
    "queries": {"rollups", "rules"},  # the clue queries judge deadlines with the workflow's own rules
    "rollups": {"data"},
    "rules": {"data"},
    "geo": {"model"},
    "data": {"model", "i18n"},
    "model": {"settings"},
    "i18n": set(),
    "settings": set(),
}
ALLOWED_EDGES: dict[tuple[str, str], str] = {}


def room_of(module: str) -> str | None:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        room = ROOMS.get(".".join(parts[:n]))
        if room:
            return room
    return None


@cache
def reachable(room: str) -> frozenset[str]:
    """Every room `room` may import: its own and all below it."""
    below = set(MAY_IMPORT[room])
    for lower in MAY_IMPORT[room]:
        below |= reachable(lower)
    return frozenset(below | {room})


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    modules = {}
    for path in root.rglob("*.py"):
        rel = path.relative_to(root)
        if SKIP & set(rel.parts):
            continue
        name = ".".join(rel.with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    return modules


def imported_modules(module: str, path: Path, modules: set[str]) -> set[str]:
    """The project modules `module` imports (`from pkg import sub` names pkg.sub, `from pkg
    import function` names pkg; relative imports resolved)."""
    names = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            names.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                         for alias in node.names)
    return names & modules


def violations(root: Path = ROOT, room=room_of) -> list[tuple[str, str]]:
    """(importer, imported) pairs that run up or sideways, sorted."""
    modules = project_modules(root)
    bad = set()
    for module, path in modules.items():
        source = room(module)
        for name in imported_modules(module, path, set(modules)):
            target = room(name)
            if None in (source, target) or target in reachable(source):
                continue
            if (source, target) not in ALLOWED_EDGES:
                bad.add((module, name))
    return sorted(bad)


def test_every_module_has_a_room():
    assert [m for m in project_modules() if room_of(m) is None] == []


def test_every_room_is_declared_once_and_the_rooms_form_no_cycle():
    assert set(ROOMS.values()) == set(MAY_IMPORT)
    for room in MAY_IMPORT:
        assert all(room not in reachable(lower) for lower in MAY_IMPORT[room]), room


def test_imports_run_one_way():
    assert violations() == []


def test_an_upward_import_is_caught(tmp_path):
    """The checker itself: a data module importing callbacks is reported."""
    (tmp_path / "data").mkdir()
    (tmp_path / "callbacks").mkdir()
    (tmp_path / "data" / "__init__.py").write_text("")
    (tmp_path / "callbacks" / "__init__.py").write_text("")
    (tmp_path / "data" / "x.py").write_text("def f():\n    from callbacks import y\n")
    (tmp_path / "callbacks" / "y.py").write_text("from data import x\n")
    assert violations(tmp_path) == [("data.x", "callbacks.y")]


WEB_FREE = ("views", "exports", "figures", "demo", "geo", "data", "queries", "records", "rollups",
            "rules", "model", "i18n", "settings", "migrations")


WEB_PACKAGES = ("dash", "flask", "flask_caching", "flask_login", "flask_limiter")


def test_views_and_below_import_neither_dash_nor_flask():
    """They are computed and tested without a server; only callbacks/components/pages,
    runtime and app know about the web."""
    bad = []
    for module, path in project_modules().items():
        if room_of(module) not in WEB_FREE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            bad += [(module, n) for n in names if n.split(".")[0] in WEB_PACKAGES]
    assert bad == []
