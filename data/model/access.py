"""People who may use the dashboard: one row per account (passwords as argon2 hashes).

Roles and their rights are code (data/access.py), not rows: a right is checked on the
server for every action, so the table only says who holds which role where.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from data.model.schema import Base


class AppUser(Base):
    """An account: login name, display name, role, jurisdiction (region codes), password."""
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    role: Mapped[str] = mapped_column(String(16))
    scope: Mapped[list] = mapped_column(JSON, default=list)  # 12-digit region codes
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    password_set_at: Mapped[dt.datetime] = mapped_column(DateTime)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)  # a one-time password
