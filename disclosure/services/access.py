"""Who may act on what: the one scope check."""

from __future__ import annotations

from ..models import Role, User, Village


def can_see_village(user: User, village: Village) -> bool:
    if user.role == Role.TOWNSHIP_ADMIN:
        return village.township_id == user.township_id
    return user.village_id == village.id


def can_draft(user: User, village: Village) -> bool:
    return can_see_village(user, village) and user.role in (Role.CLERK, Role.TOWNSHIP_ADMIN)


def can_review(user: User, village: Village) -> bool:
    return user.role == Role.SUPERVISOR and user.village_id == village.id


def can_manage_users(user: User) -> bool:
    return user.role == Role.TOWNSHIP_ADMIN


def in_scope(query, user: User, village_id_column, village: Village | None = None):  # noqa: ANN001, ANN201
    """Narrow a list query (joined to Village) to what ``user`` may see: one
    village if given and allowed, else the township (admins) or the own village."""
    from . import ServiceError

    if village is not None:
        if not can_see_village(user, village):
            raise ServiceError("您无权查看该村")
        return query.where(village_id_column == village.id)
    if user.role == Role.TOWNSHIP_ADMIN:
        return query.where(Village.township_id == user.township_id)
    return query.where(village_id_column == user.village_id)


def villages_in_scope(user: User) -> list[Village]:
    """The villages ``user`` may see, by code."""
    from sqlalchemy import select

    from ..extensions import db

    query = in_scope(select(Village), user, Village.id)
    return list(db.session.execute(query.order_by(Village.code)).scalars())
