"""Component ids of the shell and shared components.

Plain ids are string constants; repeated components use pattern-matching dict ids from
the factories below, whose values are keys (a page key, a language), never data encoded
into a string. Each page has its own module here (ids/overview.py, ids/map.py ...);
tests/ids/test_ids.py checks that every id of every module is unique.
"""
from __future__ import annotations

# Ids Dash pages itself puts in the layout (dash.page_container); used as callback inputs.
PAGES_LOCATION = "_pages_location"
PAGES_CONTENT = "_pages_content"

SHELL = "shell"
NAVBAR = "shell-navbar"
NAV_BRAND = "shell-nav-brand"
NAV_BRAND_LINK = "shell-nav-brand-link"
NAV_PAGES_MENU = "shell-nav-pages"
NAV_SUBTITLE = "shell-nav-subtitle"
NAV_TOGGLER = "shell-nav-toggler"
NAV_COLLAPSE = "shell-nav-collapse"
LANG_LABEL = "shell-lang-label"
DOC_LANG_SINK = "shell-doc-lang-sink"
FOOTER = "shell-footer"
NAV_WHOAMI = "shell-nav-whoami"
NAV_LOGOUT = "shell-nav-logout"
NAV_PASSWORD = "shell-nav-password"  # noqa: S105 - a component id, not a secret
FORBIDDEN_CARD = "forbidden-card"

PAGE_HEADER = "page-header"
PAGE_ALERT = "page-alert"
PAGE_REGION_CHIP = "page-region-chip"
CONSTRUCTION_CARD = "construction-card"
NOT_FOUND_CARD = "not-found-card"
NAV_LINK_TYPE = "shell-nav-link"
LANG_LINK_TYPE = "shell-lang-link"
PAGE_ROOT_TYPE = "page-root"
KPI_TILE_TYPE = "kpi-tile"
KPI_LABEL_TYPE = "kpi-label"
CHART_TYPE = "chart"
CHART_EXPORT_TYPE = "chart-export"
CHART_DOWNLOAD_TYPE = "chart-download"


def nav_link(page: object) -> dict:
    """Id of the navbar link of a page key ('overview', 'map' ...; ALL in callbacks)."""
    return {"type": NAV_LINK_TYPE, "page": page}


def lang_link(lang: object) -> dict:
    """Id of a language-switch link ('zh-CN' or 'en'; ALL in callbacks)."""
    return {"type": LANG_LINK_TYPE, "lang": lang}


def page_root(page: object) -> dict:
    """Id of the outermost element of a page's layout, so tests can wait for it."""
    return {"type": PAGE_ROOT_TYPE, "page": page}


def kpi_tile(key: object) -> dict:
    """Id of a KPI tile by indicator key ('on_time_completion_rate' ...)."""
    return {"type": KPI_TILE_TYPE, "key": key}


def kpi_label(key: object) -> dict:
    """Id of a KPI tile's label (the formula tooltip's target)."""
    return {"type": KPI_LABEL_TYPE, "key": key}


def chart(key: object) -> dict:
    """Id of the dcc.Graph of a chart card (components/chart.py), by chart key."""
    return {"type": CHART_TYPE, "key": key}


def chart_export(key: object, fmt: object) -> dict:
    """Id of a chart's export menu item ('png', 'svg', 'pdf')."""
    return {"type": CHART_EXPORT_TYPE, "key": key, "fmt": fmt}


def chart_download(key: object) -> dict:
    """Id of a chart's dcc.Download."""
    return {"type": CHART_DOWNLOAD_TYPE, "key": key}


PLAIN_IDS = (
    PAGES_LOCATION, PAGES_CONTENT, SHELL, NAVBAR, NAV_BRAND, NAV_BRAND_LINK, NAV_PAGES_MENU,
    NAV_SUBTITLE, NAV_TOGGLER,
    NAV_COLLAPSE, LANG_LABEL, DOC_LANG_SINK, FOOTER, PAGE_HEADER, PAGE_ALERT,
    CONSTRUCTION_CARD, NOT_FOUND_CARD, PAGE_REGION_CHIP, NAV_WHOAMI, NAV_LOGOUT, NAV_PASSWORD,
    FORBIDDEN_CARD,
)
PATTERN_TYPES = (NAV_LINK_TYPE, LANG_LINK_TYPE, PAGE_ROOT_TYPE, KPI_TILE_TYPE, KPI_LABEL_TYPE,
                 CHART_TYPE, CHART_EXPORT_TYPE, CHART_DOWNLOAD_TYPE)
