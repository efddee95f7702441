"""Helpers and constants shared by the tests: plain modules, neither tests nor fixtures.

Test modules and conftest files import names from here (`from tests.support.small import
CA, T1`); fixtures live only in conftest.py files, where pytest finds them without an
import. Nothing in tests/ imports from a test module or a conftest (tests/test_tests_layout.py).
"""
