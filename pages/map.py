"""Hotspot map (热点地图): where it is getting worse, county → township → village.

Not built yet: shows a translated under-construction card (issue #3).
"""
from __future__ import annotations

import dash

from components.shell import under_construction
from components.state import current_state
from i18n import t

ISSUE = 3  # the issue that builds this page

dash.register_page(__name__, path="/map", name="map", order=1,
                   title=f"{t('nav.map')} · {t('app.title')}")


def layout(region=None, week=None, lang=None, **query):
    """The under-construction card, keeping the URL's region, week and language."""
    return under_construction("map", ISSUE, current_state(region, week, lang))
