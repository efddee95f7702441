"""Big screen (大屏): the wall-screen mode of the weekly review meeting.

Not built yet: shows a translated under-construction card (issue #7).
"""
from __future__ import annotations

import dash

from components.shell import under_construction
from components.state import current_state
from i18n import t

ISSUE = 6  # the issue that builds this page

dash.register_page(__name__, path="/screen", name="screen", order=5,
                   title=f"{t('nav.screen')} · {t('app.title')}")


def layout(region=None, week=None, lang=None, **query):
    """The under-construction card, keeping the URL's region, week and language."""
    return under_construction("screen", ISSUE, current_state(region, week, lang))
