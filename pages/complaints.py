"""Complaints and service requests (投诉与办事): volumes, channels, closure.

Not built yet: shows a translated under-construction card (issue #5).
"""
from __future__ import annotations

import dash

from components.shell import under_construction
from components.state import current_state
from i18n import t

ISSUE = 5  # the issue that builds this page

dash.register_page(__name__, path="/complaints", name="complaints", order=3,
                   title=f"{t('nav.complaints')} · {t('app.title')}")


def layout(region=None, week=None, lang=None, **query):
    """The under-construction card, keeping the URL's region, week and language."""
    return under_construction("complaints", ISSUE, current_state(region, week, lang))
