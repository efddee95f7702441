"""Thin callback wiring: one module per page (and the shell's), each with `register(app)`.

Callbacks read inputs, call one or two functions of views/, figures/ or exports/, and
return. They reach the engine, cache, settings and scope through `runtime`, never through
module-level globals.
"""
from __future__ import annotations


def register_callbacks(app) -> None:
    """Attach every callback module to `app` (called once by app.create_app).

    Each module of this package with a `register(app)` function is one page's (or the
    shell's) wiring; they are found by name so that pages can be added independently.
    """
    import importlib
    import pkgutil

    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        if callable(getattr(module, "register", None)):
            module.register(app)
