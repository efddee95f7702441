"""Component ids of the administration page (/admin)."""
from __future__ import annotations

AD_ROOT = "admin-root"
AD_ROLES = "admin-roles"
AD_USERS = "admin-users"

PLAIN_IDS = (AD_ROOT, AD_ROLES, AD_USERS)
