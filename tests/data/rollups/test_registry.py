"""One registry of rollup builders: every rollup table has exactly one, found by name."""
from __future__ import annotations

from data.model import ROLLUP_TABLES
from data.rollups import BUILDERS
from data.rollups.registry import build_order


def test_every_rollup_table_has_one_builder_and_nothing_else_does():
    assert sorted(BUILDERS) == sorted(t.name for t in ROLLUP_TABLES)
    assert all(BUILDERS[t.name].table is t for t in ROLLUP_TABLES)


def test_builders_run_after_the_rollups_they_read():
    order = build_order()
    assert sorted(order) == sorted(BUILDERS)
    for name, builder in BUILDERS.items():
        assert set(builder.reads) <= set(BUILDERS), name
        assert all(order.index(read) < order.index(name) for read in builder.reads), name


def test_sql_builders_read_only_rollups_they_declare():
    """An INSERT ... SELECT that reads another rollup must name it in `reads` (else the
    order could build it from a stale or empty table)."""
    import inspect
    import re

    from data.rollups import complaints, funds, oversight, villages
    templates = {name: value for module in (complaints, funds, oversight, villages)
                 for name, value in vars(module).items()
                 if name.isupper() and isinstance(value, str) and value.lstrip().startswith("INSERT")}
    assert len(templates) >= 10
    for name, builder in BUILDERS.items():
        source = inspect.getsource(builder.build)
        used = [sql for key, sql in templates.items() if re.search(rf"\b{key}\b", source)]
        for sql in used:
            target = re.search(r"INSERT INTO (\w+)", sql).group(1)
            assert target == name
            read = set(re.findall(r"\b(rollup_\w+)", sql)) - {name}
            assert read <= set(builder.reads), (name, read - set(builder.reads))
