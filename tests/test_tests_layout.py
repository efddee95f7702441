"""The tests' own layout: fixtures come from conftest files, shared helpers from tests/support.

- No file under tests/ imports from a test module (`tests.test_*`, `tests.*.test_*`) or from
  a conftest: pytest finds fixtures by name, and a test module imported by another one is
  collected and run twice, with the importer's fixtures shadowing silently.
- No test module imports a fixture defined in tests/support or another helper module
  (fixtures live in conftest.py files, so pytest finds them without an import); helper
  modules define none.
- Every folder of tests/ is a package (`tests.x.y`), so equal basenames in different folders
  are fine.
An AST walk over every file; imports inside functions count.
"""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _files(tests: Path) -> list[Path]:
    return sorted(p for p in tests.rglob("*.py") if "__pycache__" not in p.parts)


def _is_test_module(path: Path) -> bool:
    return path.name.startswith("test_") and path.suffix == ".py"


def _package(path: Path, tests: Path) -> list[str]:
    """Dotted package of `path` as a list, e.g. ['tests', 'data'] for tests/data/test_x.py."""
    return [tests.name, *path.parent.relative_to(tests).parts]


def _imports(path: Path, tests: Path):
    """(line, module, imported names) of every import in `path`, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = _package(path, tests)
                base = base[:len(base) - (node.level - 1)]
                module = ".".join([*base, *([module] if module else [])])
            yield node.lineno, module, [alias.name for alias in node.names]


def _names_a_test_module(dotted: str, tests: Path) -> bool:
    """True for tests.test_x, tests.a.test_y, tests.conftest, tests.a.conftest (and bare
    `conftest` / `test_x`, importable when a tests folder is on sys.path)."""
    parts = dotted.split(".")
    if parts[0] == tests.name:
        parts = parts[1:]
    elif len(parts) > 1:
        return False
    return any(p == "conftest" or p.startswith("test_") for p in parts)


def imports_of_test_modules(tests: Path) -> list[str]:
    """Every import, anywhere under `tests`, of a test module or a conftest (or of a name
    from one)."""
    found = []
    for path in _files(tests):
        for line, module, names in _imports(path, tests):
            targets = [module, *(f"{module}.{name}" for name in names if name != "*")]
            if any(_names_a_test_module(t, tests) for t in targets if t):
                found.append(f"{path.relative_to(tests.parent)}:{line}: imports from {module}"
                             + (f" ({', '.join(names)})" if names else ""))
    return found



def _is_fixture(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (isinstance(target, ast.Attribute) and target.attr == "fixture") or \
        (isinstance(target, ast.Name) and target.id == "fixture")


def helper_fixtures(tests: Path) -> dict[str, str]:
    """{fixture name: file} of the fixtures defined in a file under `tests` that is neither a
    test module nor a conftest (tests/support, or any other helper module)."""
    found = {}
    for path in _files(tests):
        if _is_test_module(path) or path.name == "conftest.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                    any(_is_fixture(d) for d in node.decorator_list):
                found[node.name] = str(path.relative_to(tests.parent))
    return found


def imported_fixtures(tests: Path) -> list[str]:
    """Test modules that import, by name, a fixture of tests/support (or of another helper
    module under `tests`)."""
    fixtures = helper_fixtures(tests)
    found = []
    for path in _files(tests):
        if not _is_test_module(path):
            continue
        for line, module, names in _imports(path, tests):
            if module.split(".")[0] != tests.name:
                continue
            for name in names:
                if name in fixtures or (name == "*" and fixtures):
                    found.append(f"{path.relative_to(tests.parent)}:{line}: imports fixture "
                                 f"{name} from {module}")
    return found


def packages_without_init(tests: Path) -> list[str]:
    folders = {p.parent for p in _files(tests)}
    return sorted(str(f.relative_to(tests.parent)) for f in folders if not (f / "__init__.py").exists())


# --- the rules on this tree --------------------------------------------------------------

def test_no_file_imports_a_test_module_or_a_conftest():
    assert imports_of_test_modules(TESTS) == []


def test_no_test_module_imports_a_fixture():
    assert imported_fixtures(TESTS) == []


def test_helper_modules_define_no_fixtures():
    assert helper_fixtures(TESTS) == {}, "fixtures belong in a conftest.py"


def test_every_test_folder_is_a_package():
    assert packages_without_init(TESTS) == []


# --- the checks catch what they should ----------------------------------------------------

def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    tests = tmp_path / "tests"
    for name, body in files.items():
        path = tests / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return tests


def test_the_checks_catch_test_module_and_fixture_imports(tmp_path):
    tests = _tree(tmp_path, {
        "__init__.py": "",
        "conftest.py": "import pytest\n",
        "test_a.py": "def helper():\n    pass\n",
        "support/__init__.py": "",
        "support/small.py": "import pytest\nCA = 1\n@pytest.fixture(scope='module')\ndef conn():\n"
                            "    pass\n",
        "x/__init__.py": "",
        "x/conftest.py": "from tests.support.small import CA\n",
        "x/test_b.py": "from tests.test_a import helper\nfrom ..conftest import pytest\n"
                       "from tests import conftest\nfrom tests.support.small import CA, conn\n"
                       "def test_b():\n    import tests.x.test_c\n",
        "x/test_c.py": "from . import test_b\nfrom tests.support import small\n",
        "y/test_d.py": "from tests.support.small import *\n",
    })
    found = imports_of_test_modules(tests)
    assert [f.split(": ")[0] for f in found] == [
        "tests/x/test_b.py:1", "tests/x/test_b.py:2", "tests/x/test_b.py:3", "tests/x/test_b.py:6",
        "tests/x/test_c.py:1"]
    assert helper_fixtures(tests) == {"conn": "tests/support/small.py"}
    assert [f.split(": ")[0] for f in imported_fixtures(tests)] == [
        "tests/x/test_b.py:4", "tests/y/test_d.py:1"]
    assert packages_without_init(tests) == ["tests/y"]


def test_the_checks_pass_a_clean_tree(tmp_path):
    tests = _tree(tmp_path, {
        "__init__.py": "",
        "conftest.py": "import pytest\nfrom tests.support.small import CA\n@pytest.fixture()\n"
                       "def conn():\n    return CA\n",
        "support/__init__.py": "",
        "support/small.py": "CA = 1\ndef build_small():\n    pass\n",
        "x/__init__.py": "",
        "x/test_b.py": "from tests.support.small import CA, build_small\n"
                       "from tests.support import small\ndef test_b(conn):\n    assert conn == CA\n",
    })
    assert imports_of_test_modules(tests) == []
    assert helper_fixtures(tests) == {} and imported_fixtures(tests) == []
    assert packages_without_init(tests) == []
