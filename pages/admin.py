"""Administration (系统管理) for the system administrator: the roles and their rights (the
table of data/access.py, as the server checks it) and the accounts with their role and
jurisdiction. Accounts are changed with `python cli.py users ...` (every change audited)."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from components.chart import card
from components.shell import page_frame, scope_names
from components.state import current_state
from data.access import RIGHTS, ROLES
from i18n import t
from ids import admin as adm
from runtime import get_engine

dash.register_page(__name__, path="/admin", name="admin", order=9,
                   title=f"{t('nav.admin')} · {t('app.title')}")


def roles_table(lang: str) -> dbc.Table:
    head = html.Thead(html.Tr([html.Th(t("admin.role", lang))] + [html.Th(t(f"right.{r}", lang)) for r in RIGHTS]))
    body = html.Tbody([
        html.Tr([html.Th(f"{t(role.label_key, lang)} ({key})")]
                + [html.Td("✓" if right in role.rights else "—", className="text-center") for right in RIGHTS])
        for key, role in ROLES.items()])
    return dbc.Table([head, body], bordered=True, size="sm", responsive=True, id=adm.AD_ROLES, className="sun-table")


def users_table(lang: str) -> dbc.Table:
    from data.users import list_users
    with get_engine().connect() as conn:
        accounts = list_users(conn)
    columns = ("name", "display_name", "role", "scope", "state")
    head = html.Thead(html.Tr([html.Th(t(f"admin.user.{c}", lang)) for c in columns]))
    rows = []
    for user in accounts.to_dict("records"):
        state = ("admin.state.disabled" if user["disabled"] else
                 "admin.state.locked" if user["locked_until"] is not None and str(user["locked_until"]) != "NaT"
                 else "admin.state.active")
        rows.append(html.Tr([html.Td(user["name"]), html.Td(user["display_name"]),
                             html.Td(t(f"role.{user['role']}", lang)),
                             html.Td("、".join(scope_names(user["scope"])) or "—"), html.Td(t(state, lang))]))
    return dbc.Table([head, html.Tbody(rows)], bordered=True, size="sm", responsive=True, id=adm.AD_USERS,
                     className="sun-table")


def layout(region=None, week=None, lang=None, **query):
    state = current_state(region, week, lang)
    lang = state.lang
    body = html.Div([
        card(t("admin.roles.title", lang), t("admin.roles.subtitle", lang), roles_table(lang)),
        html.Div(className="mb-3"),
        card(t("admin.users.title", lang), t("admin.users.subtitle", lang), users_table(lang)),
    ], id=adm.AD_ROOT)
    return page_frame("admin", state, body)
