"""Roles and their rights (角色与权限): the one table every server-side check reads.

A role is a set of rights; a user holds one role over a jurisdiction (region codes). The
UI may hide what a role cannot do, but the check that protects is `has_right` on the
server, for every action.
"""
from __future__ import annotations

from dataclasses import dataclass

# Rights: what an action needs.
VIEW_DASHBOARDS = "view_dashboards"   # overview, map, funds, complaints, big screen
MAKE_BRIEFING = "make_briefing"       # weekly briefing preview and files
VIEW_RECORDS = "view_records"         # drill-to-records grids and their exports
VIEW_CLUES = "view_clues"             # problem clues and their evidence (an audited records view)
HANDLE_CLUES = "handle_clues"         # assign a clue to a handler unit and move it along its workflow
HANDLE_WARNINGS = "handle_warnings"   # issue a warning's verification task, record feedback, close it (销号)
UNMASK_IDENTITY = "unmask_identity"   # one complaint's complainant, with a stated reason
IMPORT_DATA = "import_data"           # data intake and data quality
VIEW_AUDIT = "view_audit"             # the audit log
MANAGE_USERS = "manage_users"         # accounts, roles, jurisdictions
RIGHTS = (VIEW_DASHBOARDS, MAKE_BRIEFING, VIEW_RECORDS, VIEW_CLUES, HANDLE_CLUES, HANDLE_WARNINGS,
          UNMASK_IDENTITY, IMPORT_DATA, VIEW_AUDIT, MANAGE_USERS)


@dataclass(frozen=True)
class Role:
    key: str               # what the CLI takes: `--role commission`
    label_key: str         # i18n key of its name (role.<key>)
    rights: frozenset[str]
    needs_scope: bool = True  # a role that sees data has a jurisdiction


_DASHBOARD = frozenset({VIEW_DASHBOARDS, MAKE_BRIEFING})
ROLES: dict[str, Role] = {role.key: role for role in (
    Role("leader", "role.leader", _DASHBOARD),
    Role("commission", "role.commission", _DASHBOARD | {VIEW_RECORDS, VIEW_CLUES, HANDLE_CLUES, HANDLE_WARNINGS,
                                                        UNMASK_IDENTITY}),
    # reads clues and warnings (e.g. a township commission's clerk) but moves nothing
    Role("clue_reader", "role.clue_reader", _DASHBOARD | {VIEW_RECORDS, VIEW_CLUES}),
    Role("staff", "role.staff", _DASHBOARD | {VIEW_RECORDS}),
    Role("data_admin", "role.data_admin", frozenset({IMPORT_DATA})),
    Role("auditor", "role.auditor", frozenset({VIEW_AUDIT}), needs_scope=False),
    Role("admin", "role.admin", frozenset({MANAGE_USERS}), needs_scope=False),
)}


class UnknownRole(ValueError):
    """A role key that is not in ROLES."""


def role_of(key: object) -> Role:
    """The role of that key, or UnknownRole naming the known ones."""
    if not isinstance(key, str) or key not in ROLES:
        raise UnknownRole(f"unknown role {key!r}; one of: {', '.join(ROLES)}")
    return ROLES[key]


def has_right(role_key: object, right: str) -> bool:
    """True when the role holds the right (deny by default: unknown roles hold nothing)."""
    role = ROLES.get(role_key) if isinstance(role_key, str) else None
    return role is not None and right in role.rights


# Pages and the right each needs (page key = its module in pages/). A page not listed
# here is shown to no one (deny by default); the 404 page needs only a login.
PAGE_RIGHTS: dict[str, str | None] = {
    "overview": VIEW_DASHBOARDS, "map": VIEW_DASHBOARDS, "funds": VIEW_DASHBOARDS,
    "complaints": VIEW_DASHBOARDS, "screen": VIEW_DASHBOARDS, "region": VIEW_DASHBOARDS,
    "clues": VIEW_CLUES, "briefing": MAKE_BRIEFING, "data": IMPORT_DATA, "audit": VIEW_AUDIT, "admin": MANAGE_USERS,
    "not_found_404": None,
}


def may_open(role_key: object, page: str) -> bool:
    """Whether a role may open a page (PAGE_RIGHTS; unknown pages: no one)."""
    if page not in PAGE_RIGHTS:
        return False
    right = PAGE_RIGHTS[page]
    return right is None or has_right(role_key, right)
