"""Staff accounts. Villagers never log in."""

from __future__ import annotations

import datetime as dt
import enum

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .place import Township, Village


class Role(enum.StrEnum):
    #: The county's catalogue, the county's dashboard (read-only) and its township admins' accounts;
    #: the county is every township with the same Township.county. Drafts and reviews nothing.
    COUNTY_ADMIN = "county_admin"
    TOWNSHIP_ADMIN = "township_admin"  # every village of the township; manages users
    CLERK = "clerk"  # drafts for own village
    SUPERVISOR = "supervisor"  # 村务监督委员会 member; reviews own village

    @property
    def label(self) -> str:
        return {"county_admin": "县级管理员", "township_admin": "乡镇管理员", "clerk": "村报账员", "supervisor": "村务监督委员会成员"}[self.value]


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]))
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    #: Clerks and supervisors belong to one village; township admins have none. A county admin's
    #: township names the county (Township.county) they work for.
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    #: A session is valid while it carries this number: logout, a password
    #: change, a reset or a deactivation raise it and so end every session.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[dt.datetime] = mapped_column(default=lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None))

    township: Mapped[Township] = relationship()
    village: Mapped[Village | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    @property
    def is_township_admin(self) -> bool:
        return self.role == Role.TOWNSHIP_ADMIN

    @property
    def is_county_admin(self) -> bool:
        return self.role == Role.COUNTY_ADMIN


class LoginThrottle(db.Model):
    """Failed logins from one address. An address that keeps failing waits,
    whatever name it tries; no staff account is ever locked by a stranger."""

    __tablename__ = "login_throttles"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None]
    last_failure_at: Mapped[dt.datetime] = mapped_column(index=True)
