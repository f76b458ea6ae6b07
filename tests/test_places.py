"""Setting up a real township from the command line: township, villages, staff."""

from __future__ import annotations

from sqlalchemy import select

from disclosure.extensions import db
from disclosure.models import AuditEntry, Township, Village


def test_a_county_sets_up_its_first_township_from_nothing(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["places", "add-township", "baiyun", "白云镇", "--phone", "0851-5550000"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["places", "add-village", "liushu", "柳树村", "--township", "baiyun", "--groups", "7",
                                 "--supervision-phone", "0851-5550001", "--opening-balance", "¥123,456.78",
                                 "--opening-date", "2024-12-31"])
    assert result.exit_code == 0, result.output
    assert "/kiosk/liushu" in result.output
    result = runner.invoke(args=["users", "create", "--username", "clerk-liushu", "--name", "柳树村报账员",
                                 "--role", "clerk", "--village", "liushu"], input="long-pass-2025\nlong-pass-2025\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        village = db.session.execute(select(Village).where(Village.code == "liushu")).scalar_one()
        assert village.township.name == "白云镇" and village.opening_balance_fen == 12_345_678
        assert [g.name for g in village.groups][:2] == ["第1村民小组", "第2村民小组"] and len(village.groups) == 7
        assert {e.action for e in db.session.execute(select(AuditEntry)).scalars()} >= {"township.create", "village.create", "user.create"}
    assert app.test_client().get("/kiosk/").get_data(as_text=True).count("柳树村") >= 1


def test_bad_input_is_refused_in_chinese_and_nothing_is_written(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["places", "add-township", "baiyun", "白云镇"]).exit_code == 0
    cases = [
        (["places", "add-township", "baiyun", "又一个"], "已存在"),
        (["places", "add-township", "白云", "白云镇"], "代码须为"),
        (["places", "add-village", "a1", "甲村", "--township", "nowhere", "--groups", "3"], "没有代码为"),
        (["places", "add-village", "jia", "甲村", "--township", "baiyun", "--groups", "0"], "村民小组数"),
        (["places", "add-village", "jia", "甲村", "--township", "baiyun", "--groups", "3", "--opening-balance", "三百"], "不是数字"),
    ]
    for args, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    with app.app_context():
        assert db.session.execute(select(db.func.count()).select_from(Village)).scalar_one() == 0
        assert db.session.execute(select(db.func.count()).select_from(Township)).scalar_one() == 1
