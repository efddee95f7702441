"""Dash pages: `dash.register_page` + `layout(region=None, week=None, lang=None, **query)`.

Layout only (DESIGN.md §2): pages read the URL state through components.state and leave
data to callbacks. The list of pages lives in components.navbar.NAV_PAGES.
"""
