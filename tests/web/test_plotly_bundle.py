"""The custom plotly.js bundle (web/plotly-bundle/index.js, served by web/bundle.py).

- Every trace type the product's code can draw is registered in the bundle's entry (else a
  chart of that type would fail in the browser), and nothing more is (each trace costs bytes
  on every page). Trace types are found by an AST walk of the product's packages: graph
  object constructors (`go.Bar(...)`), `fig.add_bar(...)`, dict traces (`{"type": "bar"}`,
  `dict(type="bar")`) and trace helpers called with a type (`_trace("sankey", ...)`);
  plotly express calls are refused (their trace types are not spelled in the code).
- It pins the plotly.js that the installed plotly.py ships (the figures' schema), esbuild exactly.
- The bundle is served at a fingerprinted, immutable URL loaded before dcc's scripts, and
  not at all when it is not built.
"""
from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path

import plotly.graph_objects as go
import pytest
from plotly.basedatatypes import BaseTraceType

from settings import PROJECT_ROOT
from web.bundle import BUNDLE_ENTRY, bundle_url, install_plotly_bundle

PRODUCT_PACKAGES = ("figures", "views", "components", "callbacks", "pages")
CORE_TRACES = {"scatter"}  # plotly.js/lib/core registers scatter itself
TRACE_CLASSES = {name: name.lower() for name in dir(go)
                 if isinstance(getattr(go, name, None), type) and issubclass(getattr(go, name), BaseTraceType)}
TRACE_TYPES = set(TRACE_CLASSES.values())


def _str_arg(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _callee(node: ast.Call) -> tuple[str | None, str]:
    """(object name or None, function name) of a call: go.Bar -> ("go", "Bar")."""
    func = node.func
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        return owner, func.attr
    return None, func.id if isinstance(func, ast.Name) else ""


def traces_in(tree: ast.AST) -> tuple[set[str], list[int]]:
    """Trace types a module's code builds, and the lines of plotly express calls."""
    found: set[str] = set()
    express: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if key is not None and _str_arg(key) == "type" and _str_arg(value) in TRACE_TYPES:
                    found.add(str(_str_arg(value)))
        elif isinstance(node, ast.Call):
            owner, name = _callee(node)
            if owner == "px":
                express.append(node.lineno)
            elif owner == "go" and name in TRACE_CLASSES:
                found.add(TRACE_CLASSES[name])
            elif name.startswith("add_") and name[4:] in TRACE_TYPES:
                found.add(name[4:])
            elif name == "dict" or name.endswith("trace"):
                kinds = [_str_arg(k.value) for k in node.keywords if k.arg == "type"]
                kinds += [_str_arg(node.args[0])] if node.args and name != "dict" else []
                found.update(str(k) for k in kinds if k in TRACE_TYPES)
    return found, express


def product_traces() -> set[str]:
    found: set[str] = set()
    for package in PRODUCT_PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            kinds, express = traces_in(ast.parse(path.read_text(encoding="utf-8"), str(path)))
            assert not express, (f"{path.relative_to(PROJECT_ROOT)}:{express}: plotly express call; "
                                 "build the trace explicitly so the bundle test sees its type")
            found |= kinds
    return found


def registered_traces() -> set[str]:
    source = BUNDLE_ENTRY.read_text(encoding="utf-8")
    block = re.search(r"Plotly\.register\(\[(.*?)\]\)", source, re.S)
    assert block, "web/plotly-bundle/index.js: no Plotly.register([...])"
    return set(re.findall(r"require\('plotly\.js/lib/(\w+)'\)", block.group(1)))


def test_the_scan_sees_every_way_a_trace_is_written():
    code = """
go.Figure(go.Choropleth(z=[1]))
fig.add_bar(x=[1])
data = [{"type": "funnel"}, dict(type="pie"), _trace("sankey", x=1), {"type": "line"}]
px.scatter(df)
"""
    kinds, express = traces_in(ast.parse(code))
    assert kinds == {"choropleth", "bar", "funnel", "pie", "sankey"}
    assert express == [5]


def test_the_product_draws_the_traces_we_know():
    # if this changes, the bundle entry must follow (next test); a floor against a scan gone blind
    assert product_traces() >= {"bar", "scatter", "choropleth", "scattergeo", "funnel", "sankey"}


def test_every_trace_the_product_draws_is_in_the_bundle_and_no_other():
    used, registered = product_traces(), registered_traces() | CORE_TRACES
    assert not used - registered, f"add to Plotly.register in web/plotly-bundle/index.js: {sorted(used - registered)}"
    assert not registered - used, f"drawn nowhere, drop from web/plotly-bundle/index.js: {sorted(registered - used)}"


def test_the_bundle_pins_the_plotly_js_that_plotly_py_ships():
    from plotly.offline import get_plotlyjs_version

    package = json.loads((BUNDLE_ENTRY.parent / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((BUNDLE_ENTRY.parent / "package-lock.json").read_text(encoding="utf-8"))
    assert package["dependencies"]["plotly.js"] == get_plotlyjs_version()
    assert lock["packages"]["node_modules/plotly.js"]["version"] == get_plotlyjs_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", package["dependencies"]["esbuild"]), "pin esbuild exactly"


def test_every_registered_module_exists_in_plotly_js():
    lib = BUNDLE_ENTRY.parent / "node_modules" / "plotly.js" / "lib"
    if not lib.is_dir():
        pytest.skip("web/plotly-bundle/node_modules not installed (make bundle)")
    assert {n for n in registered_traces() if not (lib / f"{n}.js").is_file()} == set()


def test_a_built_bundle_is_served_fingerprinted_and_immutable(tmp_path: Path):
    import dash

    built = tmp_path / "plotly-custom.min.js"
    built.write_bytes(b"var Plotly={};")
    app = dash.Dash(__name__, serve_locally=True)
    app.layout = dash.html.Div()
    url = install_plotly_bundle(app, built)
    digest = hashlib.sha1(b"var Plotly={};", usedforsecurity=False).hexdigest()
    assert url == bundle_url(b"var Plotly={};") == f"/vendor/plotly/plotly-custom.{digest}.min.js"
    assert app.config.external_scripts == [url]
    client = app.server.test_client()
    resp = client.get(url)
    assert resp.status_code == 200 and resp.data == b"var Plotly={};"
    assert resp.mimetype == "text/javascript"
    assert resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/vendor/plotly/plotly-custom.0000.min.js").status_code == 404
    # Dash writes external scripts after React and before dcc (whose Graph then finds window.Plotly)
    index = client.get("/").get_data(as_text=True)
    assert index.index(url) < index.index("dcc/dash_core_components")


def test_no_bundle_built_changes_nothing(tmp_path: Path):
    import dash

    app = dash.Dash(__name__, serve_locally=True)
    app.layout = dash.html.Div()
    assert install_plotly_bundle(app, tmp_path / "missing.js") is None
    assert app.config.external_scripts == []
    assert not [r for r in app.server.url_map.iter_rules() if str(r).startswith("/vendor/plotly/")]
