"""The web layer around the Dash app: login and sessions (auth), the login pages, and the
headers and request checks every response and request passes (security)."""
