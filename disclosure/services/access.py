"""Who may act on what: the one scope check."""

from __future__ import annotations

from ..models import Role, Township, User, Village


def can_see_village(user: User, village: Village) -> bool:
    if user.role == Role.TOWNSHIP_ADMIN:
        return village.township_id == user.township_id
    return user.village_id == village.id


def can_draft(user: User, village: Village) -> bool:
    return can_see_village(user, village) and user.role in (Role.CLERK, Role.TOWNSHIP_ADMIN)


def can_review(user: User, village: Village) -> bool:
    return user.role == Role.SUPERVISOR and user.village_id == village.id


def can_manage_users(user: User) -> bool:
    """A township admin: the township's staff accounts and the township's own pages."""
    return user.role == Role.TOWNSHIP_ADMIN


def county_townships(user: User) -> list[Township]:
    """A county admin's county: every township with the same Township.county
    (only their own township while it names no county); nothing for anyone else."""
    from sqlalchemy import select

    from ..extensions import db

    if user.role != Role.COUNTY_ADMIN:
        return []
    county = user.township.county
    if not county:
        return [user.township]
    return list(db.session.execute(select(Township).where(Township.county == county).order_by(Township.code)).scalars())


def can_manage_account(actor: User, target: User) -> bool:
    """Who may deactivate or reset whose account: a township admin the staff of
    their township (never a county admin who happens to sit there); a county
    admin the township admins of the county's townships."""
    if actor.role == Role.TOWNSHIP_ADMIN:
        return target.township_id == actor.township_id and target.role != Role.COUNTY_ADMIN
    if actor.role == Role.COUNTY_ADMIN:
        return target.role == Role.TOWNSHIP_ADMIN and target.township_id in {t.id for t in county_townships(actor)}
    return False


def dashboard_villages(user: User) -> list[Village]:
    """The villages on the user's lateness dashboard: a county admin's are the
    county's (read-only: they see no notice, see can_see_village); everyone
    else's are those in scope."""
    if user.role != Role.COUNTY_ADMIN:
        return villages_in_scope(user)
    from sqlalchemy import select

    from ..extensions import db

    ids = [t.id for t in county_townships(user)]
    return list(db.session.execute(select(Village).join(Township).where(Village.township_id.in_(ids))
                                   .order_by(Township.code, Village.code)).scalars())


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
