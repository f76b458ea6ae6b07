"""A township with content of every kind in village v1, staff in and out of
scope, made through the real services; used by the admin tests."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from PIL import Image

from disclosure import periods, vouchers
from disclosure.extensions import db
from disclosure.models import (
    AuditEntry, CadreRelative, InfoRequest, Notice, PrintJob, Question, RedFlag, Role, Township, User, Village,
)
from disclosure.services import intake, notices, users

PASSWORD = "test-pass-123"
Q3 = periods.quarter(2025, 3)


@dataclass(frozen=True)
class LedgerIn:  # shaped like importing.LedgerRow
    occurred_on: dt.date
    summary: str
    direction: str
    subject: str
    amount_fen: int
    voucher_no: str = ""
    handler: str = ""
    note: str = ""


@dataclass(frozen=True)
class PersonIn:  # shaped like importing.RosterRow
    name: str
    amount_fen: int
    group_no: int | None = 1
    id_hash: str | None = None
    id_masked: str = ""
    account_masked: str = ""
    phone_masked: str = ""
    household_size: int | None = None
    quantity: object = None
    rate_fen: int | None = None
    paid_on: dt.date | None = None
    reason: str = ""


def jpeg_bytes(size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG")
    return out.getvalue()


def _user(username: str, role: Role, township: Township, village: Village | None) -> User:
    # Fast because the test app sets PASSWORD_HASH_FAST (real argon2, smallest cost).
    return users.create_user(username=username, display_name=username, password=PASSWORD, role=role,
                             township=township, village=village)


def ledger_line(day: int = 3, amount_fen: int = 12_345, summary: str = "村部电费") -> LedgerIn:
    return LedgerIn(dt.date(2025, 7, day), summary, "expense", "management_expense", amount_fen, "记-01")


def build_world(app: Flask, place: dict[str, int]) -> dict[str, int]:
    """Ids of everything: staff of v1, v2 and of a second township; in v1 a
    draft of each kind (with lines, a voucher, a project and a fund), a
    published notice, a question, an information request, a red flag, a
    cadre-register entry and a print job."""
    with app.app_context():
        t1 = db.session.get(Township, place["township"])
        v1, v2 = db.session.get(Village, place["v1"]), db.session.get(Village, place["v2"])
        t2 = Township(code="t2", name="外镇")
        v3 = Village(code="v3", name="外村", township=t2)
        db.session.add_all([t2, v3])
        db.session.flush()
        staff = {
            "clerk1": _user("clerk1", Role.CLERK, t1, v1), "sup1": _user("sup1", Role.SUPERVISOR, t1, v1),
            "sup1b": _user("sup1b", Role.SUPERVISOR, t1, v1), "admin1": _user("admin1", Role.TOWNSHIP_ADMIN, t1, None),
            "clerk2": _user("clerk2", Role.CLERK, t1, v2), "sup2": _user("sup2", Role.SUPERVISOR, t1, v2),
            "admin2": _user("admin2", Role.TOWNSHIP_ADMIN, t2, None), "clerk3": _user("clerk3", Role.CLERK, t2, v3),
        }
        clerk, sup = staff["clerk1"], staff["sup1"]

        finance = notices.create_draft(v1, clerk, category="finance", title="一村2025年第三季度财务收支公示", period=Q3)
        [line] = intake.add_ledger_rows(finance, clerk, [ledger_line()])
        voucher = vouchers.attach(line, clerk, jpeg_bytes())

        roster = notices.create_draft(v1, clerk, category="subsidy", roster_kind="gengdi", title="一村耕地地力补贴",
                                      period=periods.year(2025))
        [person] = intake.add_roster_rows(roster, clerk, [PersonIn("张三明", 10_550)])

        assets = notices.create_draft(v1, clerk, category="assets", title="一村集体资产", period=Q3)
        asset = intake.add_asset_line(assets, clerk, name="村部门面", kind="房屋", annual_income_fen=1_200_000)

        project = notices.create_draft(v1, clerk, category="project", title="一村产业路项目公示", period=periods.year(2025))
        intake.set_project(project, clerk, name="产业路硬化", location="一村2组", content="硬化道路1.2公里",
                           starts_on=dt.date(2025, 3, 1), ends_on=dt.date(2025, 9, 30), implementer="一村村委会",
                           responsible="李四")
        fund = intake.add_project_fund(project, clerk, source="中央衔接资金", allocated_fen=50_000_000, spent_fen=0)

        published = notices.create_draft(v1, clerk, category="finance", title="一村2025年第三季度财务收支（已发布）",
                                         period=Q3)
        intake.add_ledger_rows(published, clerk, [ledger_line(5, 500_00, "报刊征订费")])
        notices.submit(published, clerk)
        notices.approve(published, sup)
        notices.publish(published, clerk, dt.date(2025, 10, 1), dt.date(2025, 10, 7), today=dt.date(2025, 10, 1))

        question = Question(ticket_no="Q2510-000001", notice_id=published.id, village_id=v1.id, concern="金额不对",
                            text="电费为何这么多", channel="kiosk", due_on=dt.date(2025, 10, 20))
        info = InfoRequest(ticket_no="R2510-000001", village_id=v1.id, requester="王五", subject="2024年租金收入",
                           received_on=dt.date(2025, 10, 8), due_on=dt.date(2025, 11, 5),
                           created_by_id=staff["admin1"].id)
        flag = RedFlag(township_id=t1.id, village_id=v1.id, kind="duplicate_payment", fingerprint="f" * 64,
                       description="同一人重复领取", roster_line_ids=[person.id])
        relative = CadreRelative(township_id=t1.id, village_id=v1.id, name="张三明", id_hash="a" * 64,
                                 cadre_name="张大山", relation="父母")
        job = PrintJob(township_id=t1.id, month="2025-10", created_by_id=staff["admin1"].id)
        db.session.add_all([question, info, flag, relative, job])
        from disclosure.services import library

        document = library.create(clerk, t1, v1, kind="村规民约", title="一村村规民约", body="爱护道路。",
                                  effective_on=dt.date(2025, 1, 1))
        db.session.commit()
        ids = {name: user.id for name, user in staff.items()}
        ids.update(
            v1=v1.id, v2=v2.id, township2=t2.id, v3=v3.id, finance=finance.id, ledger_line=line.id, voucher=voucher.id,
            roster=roster.id, roster_line=person.id, assets=assets.id, asset_line=asset.id, project=project.id,
            fund=fund.id, published=published.id, question=question.id, info_request=info.id, flag=flag.id,
            cadre=relative.id, job=job.id, document=document.id,
        )
        return ids


def audit_count(app: Flask) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(AuditEntry)).scalar_one()


def notice(app: Flask, notice_id: int) -> Notice:
    with app.app_context():
        n = db.session.get(Notice, notice_id)
        db.session.expunge(n)
        return n


@contextlib.contextmanager
def demo_township(name: str, folder: Path, **config: object) -> Iterator[Flask]:
    """The demo township on a database of its own, for tests that write to it
    (the shared demo_app is read-only); ``config`` as for make_app."""
    from disclosure.demo import load
    from tests.conftest import database_url, make_app

    app = make_app(database_url(name, folder), folder / "instance", **config)
    with app.app_context():
        db.create_all()
        load()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
