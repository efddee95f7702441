"""Weekly briefing (周报): charts and drafted text for the office.

Not built yet: shows a translated under-construction card (issue #6).
"""
from __future__ import annotations

import dash

from components.shell import under_construction
from components.state import current_state
from i18n import t

ISSUE = 6  # the issue that builds this page

dash.register_page(__name__, path="/briefing", name="briefing", order=4,
                   title=f"{t('nav.briefing')} · {t('app.title')}")


def layout(region=None, week=None, lang=None, **query):
    """The under-construction card, keeping the URL's region, week and language."""
    return under_construction("briefing", ISSUE, current_state(region, week, lang))
