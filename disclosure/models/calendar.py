"""Days of the national holiday calendar entered by township staff."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class CalendarDay(db.Model):
    """A day of the national holiday calendar entered by township staff for a
    year ``chinese_calendar`` does not know yet (the State Council publishes
    next year's 法定节假日 and 调休 each December). Entered days come first in
    :func:`disclosure.periods.is_workday`."""

    __tablename__ = "calendar_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(unique=True)
    is_workday: Mapped[bool]  # False: 法定节假日 (rest); True: 调休上班 (a weekend day worked)
    name: Mapped[str] = mapped_column(String(32), default="")  # 春节 / 国庆节 …
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[dt.datetime]
