"""Fund flows (资金流向): livelihood funds from allocation to payment.

Not built yet: shows a translated under-construction card (issue #4).
"""
from __future__ import annotations

import dash

from components.shell import under_construction
from components.state import current_state
from i18n import t

ISSUE = 4  # the issue that builds this page

dash.register_page(__name__, path="/funds", name="funds", order=2,
                   title=f"{t('nav.funds')} · {t('app.title')}")


def layout(region=None, week=None, lang=None, **query):
    """The under-construction card, keeping the URL's region, week and language."""
    return under_construction("funds", ISSUE, current_state(region, week, lang))
