"""Component ids of the audit log page (/audit)."""
from __future__ import annotations

AU_ROOT = "audit-root"
AU_USER = "audit-user"
AU_ACTION = "audit-action"
AU_DATES = "audit-dates"
AU_CHAIN = "audit-chain"
AU_GRID = "audit-grid"
AU_COUNT = "audit-count"
AU_EXPORT = "audit-export"
AU_DOWNLOAD = "audit-download"
AU_LANG = "audit-lang"

PLAIN_IDS = (AU_ROOT, AU_USER, AU_ACTION, AU_DATES, AU_CHAIN, AU_GRID, AU_COUNT, AU_EXPORT, AU_DOWNLOAD, AU_LANG)
