"""Fixtures of the data-layer tests: the small hand-made dataset (tests/support/small.py)."""
from __future__ import annotations

import pytest

from tests.support.small import build_small


@pytest.fixture(scope="module")
def small_engine(tmp_path_factory):
    """Engine of a SQLite file holding the small dataset (one per test module)."""
    engine = build_small(f"sqlite:///{tmp_path_factory.mktemp('small') / 'small.db'}")
    yield engine
    engine.dispose()


@pytest.fixture()
def conn(small_engine):
    """A connection in a transaction that is rolled back after the test."""
    with small_engine.connect() as connection, connection.begin() as txn:
        yield connection
        txn.rollback()
