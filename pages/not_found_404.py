"""The 404 page (Dash pages uses the module named not_found_404), translated."""
from __future__ import annotations

import dash

from components.shell import not_found
from components.state import current_state
from i18n import t

dash.register_page(__name__, title=f"{t('notfound.title')} · {t('app.title')}")


def layout(region=None, week=None, lang=None, **query):
    """'Page not found' in the URL's language, with a link back to the overview."""
    return not_found(current_state(region, week, lang))
