"""Roles and rights: one table, deny by default."""
from __future__ import annotations

import pytest

from data.access import (
    IMPORT_DATA,
    MANAGE_USERS,
    RIGHTS,
    ROLES,
    UNMASK_IDENTITY,
    VIEW_AUDIT,
    VIEW_DASHBOARDS,
    VIEW_RECORDS,
    UnknownRole,
    has_right,
    role_of,
)
from i18n import t

# role -> rights it must hold; every other right it must not (the issue's table)
EXPECTED = {
    "leader": {VIEW_DASHBOARDS, "make_briefing"},
    "commission": {VIEW_DASHBOARDS, "make_briefing", VIEW_RECORDS, "view_clues", "handle_clues", "handle_warnings",
                   UNMASK_IDENTITY},
    "clue_reader": {VIEW_DASHBOARDS, "make_briefing", VIEW_RECORDS, "view_clues"},
    "staff": {VIEW_DASHBOARDS, "make_briefing", VIEW_RECORDS},
    "data_admin": {IMPORT_DATA},
    "auditor": {VIEW_AUDIT},
    "admin": {MANAGE_USERS},
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
@pytest.mark.parametrize("right", RIGHTS)
def test_role_right_matrix(role, right):
    assert has_right(role, right) == (right in EXPECTED[role])


def test_only_the_commission_may_unmask_and_no_data_role_manages_users():
    assert [k for k in ROLES if has_right(k, UNMASK_IDENTITY)] == ["commission"]
    assert [k for k in ROLES if has_right(k, MANAGE_USERS)] == ["admin"]


@pytest.mark.parametrize("forged", [None, "", "root", ["admin"], "Admin"])
def test_unknown_roles_hold_nothing(forged):
    assert not any(has_right(forged, right) for right in RIGHTS)
    with pytest.raises(UnknownRole):
        role_of(forged)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_role_has_a_name_in_both_languages(lang):
    names = [t(role.label_key, lang) for role in ROLES.values()]
    assert all(name and name != role.label_key for name, role in zip(names, ROLES.values(), strict=True))
    assert t("role.commission", "zh-CN") == "纪委监委"
