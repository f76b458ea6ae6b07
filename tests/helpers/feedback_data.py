"""Published notices for the feedback, oversight and open-data tests, made
through the real services (draft → submit → approve → publish)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


from disclosure import keys, periods, privacy
from disclosure.extensions import db
from disclosure.models import Notice, Role, User, Village
from disclosure.services import intake, notices, users


@dataclass(frozen=True)
class Person:  # shaped like importing.RosterRow
    name: str
    amount_fen: int
    id_number: str = ""
    group_no: int | None = 1
    household_size: int | None = None
    quantity: Decimal | None = None
    rate_fen: int | None = None
    paid_on: dt.date | None = None
    reason: str = ""
    account: str = ""
    phone: str = ""
    grade: str | None = None

    @property
    def id_hash(self) -> str | None:
        return privacy.id_fingerprint(self.id_number, keys.root_key()) if self.id_number else None

    @property
    def id_masked(self) -> str:
        return privacy.mask_id(self.id_number) if self.id_number else ""

    @property
    def account_masked(self) -> str:
        return privacy.mask_account(self.account) if self.account else ""

    @property
    def phone_masked(self) -> str:
        return privacy.mask_phone(self.phone) if self.phone else ""


def valid_id(seed: int, born: str = "19650304") -> str:
    first17 = f"522401{born}{seed % 1000:03d}"
    return first17 + privacy.id_check_digit(first17)


def staff(village: Village) -> tuple[User, User]:
    """A clerk and a supervisor of ``village`` (created once)."""
    clerk = db.session.execute(db.select(User).where(User.username == f"fb-clerk-{village.code}")).scalar_one_or_none()
    if clerk is None:
        clerk = users.create_user(username=f"fb-clerk-{village.code}", display_name="报账员", password="test-pass-123",
                                  role=Role.CLERK, township=village.township, village=village)
        users.create_user(username=f"fb-sup-{village.code}", display_name="监委", password="test-pass-123",
                          role=Role.SUPERVISOR, township=village.township, village=village)
    sup = db.session.execute(db.select(User).where(User.username == f"fb-sup-{village.code}")).scalar_one()
    return clerk, sup


def publish(notice: Notice, start: dt.date, days: int = 7) -> Notice:
    clerk, sup = staff(notice.village)
    notices.submit(notice, clerk)
    notices.approve(notice, sup)
    notices.publish(notice, clerk, start, periods.notice_end(start, days), today=start)
    notice.published_at = dt.datetime.combine(start, dt.time(9, 0))
    return notice


def roster_notice(village: Village, kind: str, period: periods.Period, people: list[Person], *,
                  start: dt.date | None = None, category: str = "assistance") -> Notice:
    clerk, _ = staff(village)
    notice = notices.create_draft(village, clerk, category=category, roster_kind=kind, period=period,
                                  title=f"{village.name}{period.label}名单公示")
    intake.add_roster_rows(notice, clerk, people, kind=kind)
    return publish(notice, start or period.end + dt.timedelta(days=3))


def text_notice(village: Village, category: str, period: periods.Period, *, start: dt.date, title: str = "",
                body: str = "公示内容") -> Notice:
    clerk, _ = staff(village)
    notice = notices.create_draft(village, clerk, category=category, period=period,
                                  title=title or f"{village.name}{period.label}{category}公示", body=body)
    return publish(notice, start)
