"""`flask users create` (password prompted, never an argument) and `flask import`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from disclosure.extensions import db
from disclosure.models import LedgerLine, Notice, Role, Status, User
from disclosure.services.users import authenticate

PASSWORD = "cunwu-pass-2025"
SAMPLES = Path(__file__).resolve().parent / "data" / "samples"


def create(app: Flask, *options: str, input: str | None = f"{PASSWORD}\n{PASSWORD}\n"):
    return app.test_cli_runner().invoke(args=["users", "create", *options], input=input)


def users(app: Flask) -> list[User]:
    with app.app_context():
        return db.session.execute(sa.select(User).order_by(User.id)).scalars().all()


def test_create_a_clerk_with_a_prompted_password(app: Flask, place: dict[str, int]) -> None:
    result = create(app, "--username", "Li.Kuaiji", "--name", "李会计", "--role", "clerk", "--village", "v1")
    assert result.exit_code == 0, result.output
    assert "已创建 li.kuaiji（村报账员）" in result.output
    assert PASSWORD not in result.output  # hidden input is not echoed
    with app.app_context():
        user = db.session.execute(sa.select(User).where(User.username == "li.kuaiji")).scalar_one()
        assert (user.display_name, user.role, user.village_id) == ("李会计", Role.CLERK, place["v1"])
        assert user.password_hash.startswith("$argon2") and PASSWORD not in user.password_hash
        assert authenticate("li.kuaiji", PASSWORD).id == user.id


def test_all_fields_can_be_prompted(app: Flask, place: dict[str, int]) -> None:
    # username, name, role (default clerk), then the password twice
    result = create(app, "--village", "v2", input=f"wang\n王监督\nsupervisor\n{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "已创建 wang（村务监督委员会成员）" in result.output
    (user,) = users(app)
    assert (user.role, user.village_id) == (Role.SUPERVISOR, place["v2"])


def test_township_admin_needs_no_village(app: Flask, place: dict[str, int]) -> None:
    result = create(app, "--username", "zhen", "--name", "镇管理员", "--role", "township_admin")
    assert result.exit_code == 0, result.output
    (user,) = users(app)
    assert user.role == Role.TOWNSHIP_ADMIN and user.village_id is None and user.township_id == place["township"]


def test_the_password_is_never_an_option(app: Flask, place: dict[str, int]) -> None:
    result = create(app, "--username", "x", "--name", "x", "--village", "v1", "--password", PASSWORD)
    assert result.exit_code == 2 and "No such option" in result.output
    assert users(app) == []


@pytest.mark.parametrize(
    ("options", "input", "message"),
    [
        (("--role", "mayor", "--village", "v1"), None, "Invalid value for '--role'"),
        (("--role", "clerk", "--village", "nowhere"), None, "没有代码为 nowhere 的村"),
        (("--role", "clerk"), None, "村报账员和监督委员会成员必须指定所在村"),
        (("--role", "supervisor", "--township", "t1"), None, "村报账员和监督委员会成员必须指定所在村"),
        (("--role", "township_admin", "--township", "nope"), None, "请用 --township 指定乡镇代码"),
        (("--role", "clerk", "--village", "v1"), "short1\nshort1\n", "密码至少需要10位"),
        (("--role", "clerk", "--village", "v1"), "onlyletters\nonlyletters\n", "密码须同时包含字母和数字"),
        (("--role", "clerk", "--village", "v1"), f"{PASSWORD}\nsomething-else-1\n", "两次输入的密码不一致"),
    ],
)
def test_bad_input_is_refused(app: Flask, place: dict[str, int], options: tuple[str, ...], input: str | None,
                              message: str) -> None:
    result = create(app, "--username", "bad", "--name", "坏账号", *options,
                    input=input if input is not None else f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code != 0
    if message == "两次输入的密码不一致":  # click asks again; with no more input it aborts
        assert "Error: The two entered values do not match." in result.output
    else:
        assert message in result.output
    assert users(app) == []


def test_duplicate_username_is_refused(app: Flask, place: dict[str, int]) -> None:
    assert create(app, "--username", "li", "--name", "李", "--village", "v1", "--role", "clerk").exit_code == 0
    again = create(app, "--username", "LI", "--name", "李二", "--village", "v2", "--role", "clerk")
    assert again.exit_code == 1 and "该用户名已存在" in again.output
    assert len(users(app)) == 1


def test_import_a_ledger_from_the_command_line(app: Flask, place: dict[str, int]) -> None:
    assert create(app, "--username", "zhen", "--name", "镇管理员", "--role", "township_admin").exit_code == 0
    runner = app.test_cli_runner()
    sample = str(SAMPLES / "ledger_2025Q3.xlsx")
    dry = runner.invoke(args=["import", "ledger", sample, "--village", "v1", "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Notice)).scalar_one() == 0
    result = runner.invoke(args=["import", "ledger", sample, "--village", "v1", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    with app.app_context():
        notice = db.session.get(Notice, summary["notice_id"])
        assert notice.status == Status.DRAFT and notice.category == "finance"
        assert len(notice.ledger_lines) == 31
        assert sum(l.amount_fen for l in notice.ledger_lines if l.direction == "income") == 15_041_173


def test_import_of_a_bad_file_writes_nothing(app: Flask, place: dict[str, int]) -> None:
    assert create(app, "--username", "zhen", "--name", "镇管理员", "--role", "township_admin").exit_code == 0
    result = app.test_cli_runner().invoke(
        args=["import", "ledger", str(SAMPLES / "bad_ledger.xlsx"), "--village", "v1"])
    assert result.exit_code == 1
    assert "未导入任何数据" in result.output
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(LedgerLine)).scalar_one() == 0
    unknown = app.test_cli_runner().invoke(
        args=["import", "ledger", str(SAMPLES / "ledger_2025Q3.xlsx"), "--village", "v9"])
    assert unknown.exit_code == 1 and "没有代码为 v9 的村" in unknown.output
