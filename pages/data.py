"""Data intake (数据接入) for the data administrator: planned in issue #13."""
from __future__ import annotations

import dash

from components.shell import under_construction
from components.state import current_state
from i18n import t

dash.register_page(__name__, path="/data", name="data", order=7,
                   title=f"{t('nav.data')} · {t('app.title')}")


def layout(region=None, week=None, lang=None, **query):
    return under_construction("data", 13, current_state(region, week, lang))
