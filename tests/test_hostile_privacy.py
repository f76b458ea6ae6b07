"""Hostile data is ordinary data (issue 11 §2): invisible and look-alike
characters in names, numbers written with spaces, dashes, +86 or other digit
scripts, private numbers typed into free text. Nothing slips past the mask:
not on a public page, a phone page, a download, an API answer, a feed, a PDF,
nor in the audit log. And free text keeps its Chinese punctuation (issue 10 §3)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import unicodedata

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from disclosure import clock, periods, pinyin, privacy, public
from disclosure.extensions import db
from disclosure.models import AuditEntry, InfoRequest, Notice, Question, Role, User, Village
from disclosure.services import feedback, intake, notices, requests
from tests.conftest import login_as
from tests.helpers.admin_world import PersonIn
from tests.helpers.feedback_data import text_notice
from tests.helpers.public_crawl import crawl

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u202d", "\u2066", "\u2067",
             "\u2068", "\u2069", "\u200e", "\u200f", "\u180e", "\u3164", "\u034f", "\ufe0f"]
SPACES = ["\u3000", "\u00a0", "\u2003", " "]


def valid_id(first17: str) -> str:
    return first17 + privacy.id_check_digit(first17)


def arabic_indic(digits: str) -> str:
    return "".join(chr(0x0660 + int(d)) if d.isdigit() else d for d in digits)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# -- names ------------------------------------------------------------------------

@pytest.mark.parametrize("hidden", INVISIBLE + SPACES)
def test_an_invisible_or_blank_character_never_takes_the_masks_place(hidden: str) -> None:
    for name in (f"张{hidden}三明", f"{hidden}张三明", f"张三{hidden}明", f"张{hidden}{hidden}三明{hidden}"):
        assert privacy.mask_name(name) == "张*明", repr(name)
        assert privacy.normalize(name) == "张三明"
        assert pinyin.initials(privacy.mask_name(name)) == "Z?M"


def test_a_combining_mark_is_part_of_its_character() -> None:
    assert privacy.mask_name("张\u0301三明") == "张\u0301*明"  # the mark is not the masked "character"


@pytest.mark.parametrize("star", ["*", "＊", "﹡", "∗", "⁎", "✱", "※"])
def test_a_typed_asterisk_cannot_pose_as_the_mask(star: str) -> None:
    assert privacy.mask_name(f"张{star}三明") == privacy.mask_name(f"{star}张{star}{star}三明") == "张*明"
    assert privacy.mask_name("王五{{7*7}}") == "王*{{7*7}}"  # after the masked place it is just text


def test_compatibility_forms_of_a_name_are_folded() -> None:
    assert privacy.mask_name("⾦三明") == "金*明"  # KANGXI RADICAL GOLD looks like 金


# -- numbers in columns -------------------------------------------------------------

def test_an_id_written_any_way_is_one_id() -> None:
    number = valid_id("41010219900101123")
    key = b"k"
    forms = [
        " ".join([number[:6], number[6:14], number[14:]]),
        "-".join([number[:6], number[6:14], number[14:]]),
        "\u200b".join(number), full_width(number), arabic_indic(number),
        "\u3000".join([number[:9], number[9:]]), number[:6] + "\u2013" + number[6:],
    ]
    for form in forms:
        assert privacy.id_problem(form) is None, repr(form)
        assert privacy.id_fingerprint(form, key) == privacy.id_fingerprint(number, key), repr(form)
        assert privacy.mask_id(form) == privacy.mask_id(number) == number[:4] + "*" * 10 + number[-4:]


@pytest.mark.parametrize("phone", ["+86 138 1234 5678", "+86-138-1234-5678", "0086 13812345678", "8613812345678",
                                   "138\u200b1234\u200b5678", arabic_indic("13812345678"), "(+86)138 1234 5678"])
def test_a_phone_written_any_way_is_masked_alike(phone: str) -> None:
    assert privacy.mask_phone(phone) == "138****5678"


def test_an_account_in_another_digit_script_is_masked() -> None:
    assert privacy.mask_account(arabic_indic("6217 0012 3456 7890 123")) == "尾号0123"


# -- numbers in free text -----------------------------------------------------------

NUMBER = valid_id("41010219900101123")


@pytest.mark.parametrize(("text", "clean"), [
    ("电话138-1234-5678，请回电。", "电话138****5678，请回电。"),
    ("电话 138 1234 5678？", "电话 138****5678？"),
    ("手机+86 138 1234 5678！", "手机+86 138****5678！"),
    ("（+86）138-1234-5678", "（+86）138****5678"),
    ("0086 13812345678", "0086 138****5678"),
    ("+8613812345678", "+86138****5678"),
    ("１３８　１２３４　５６７８", "138****5678"),
    (arabic_indic("13812345678"), "138****5678"),
    ("138\u200b1234\u200b5678", "138****5678"),
    (f"身份证：{NUMBER[:6]} {NUMBER[6:14]} {NUMBER[14:]}。", f"身份证：{privacy.mask_id(NUMBER)}。"),
    (f"身份证{NUMBER[:6]}-{NUMBER[6:]}", f"身份证{privacy.mask_id(NUMBER)}"),
    ("卡号6222 0212 3456 7890 123；", "卡号尾号0123；"),
    ("卡号622202-1234567890123", "卡号尾号0123"),
    (f"残疾证号{NUMBER}12", f"残疾证号{privacy.mask_id(NUMBER + '12')}"),
    ("6217001234567890123456789", "尾号6789"),
    # ordinary numbers stay as written
    ("监督电话0851-1234567 13812345678", "监督电话0851-1234567 138****5678"),
    ("2025年7-9月电费1,050.00元，第3组，票号12345678", "2025年7-9月电费1,050.00元，第3组，票号12345678"),
    ("公示期2025-10-15至2025-10-21。", "公示期2025-10-15至2025-10-21。"),
    ("面积 3.5 亩 × 105.50 元", "面积 3.5 亩 × 105.50 元"),
])
def test_scrub_finds_numbers_however_written(text: str, clean: str) -> None:
    assert privacy.scrub(text) == clean


def test_free_text_keeps_chinese_punctuation_and_loses_only_the_invisible() -> None:
    typed = "请问：“补贴”为什么少了？（第三组）！；、……\u200b\u202e——全角ＡＢＣ１２３"
    assert privacy.scrub(typed) == "请问：“补贴”为什么少了？（第三组）！；、……——全角ＡＢＣ１２３"
    assert privacy.clean_text("一行\r\n二行\x07\tend") == "一行\n二行 end"


# -- free text through the services ------------------------------------------------------

def _staff(app, make_user) -> tuple[int, int]:  # noqa: ANN001
    return make_user(Role.CLERK), make_user(Role.SUPERVISOR)


def _audit_text(app) -> str:  # noqa: ANN001
    with app.app_context():
        return json.dumps([[e.before, e.after] for e in db.session.execute(select(AuditEntry)).scalars()],
                          ensure_ascii=False)


PRIVATE_TEXT = "电话138 1234 5678，身份证" + NUMBER[:6] + " " + NUMBER[6:] + "，卡号6222 0212 3456 7890 123"
RAW = ("13812345678", NUMBER, "6222021234567890123")


def _digits_joined(text: str) -> str:
    """Digits as a reader sees them: every script ASCII, separators and
    invisible characters between two digits removed."""
    text = "".join(str(unicodedata.digit(ch)) if unicodedata.category(ch) == "Nd" else ch for ch in text
                   if unicodedata.category(ch) != "Cf")
    return re.sub(r"(?<=\d)[^\w*]{1,3}(?=\d)", "", unicodedata.normalize("NFKC", text))


def _raw_digits(text: str) -> str:
    digits = re.sub(r"\D", "", _digits_joined(text))
    return digits[-11:] if re.fullmatch(r"(0086|86)1\d{10}", digits) else digits


def _assert_no_raw(text: str, where: str) -> None:
    joined = _digits_joined(text)
    for raw in RAW:
        assert raw not in joined, f"{where}: {raw}"


def test_every_free_text_is_scrubbed_before_storage_and_in_the_audit_log(app, place, make_user) -> None:  # noqa: ANN001
    clerk_id, sup_id = _staff(app, make_user)
    with app.app_context():
        clerk, sup = db.session.get(User, clerk_id), db.session.get(User, sup_id)
        village = db.session.get(Village, place["v1"])
        notice = notices.create_draft(village, clerk, category="major", period=periods.month_of(clock.china_today()),
                                      title="联系人+86 138-1234-5678", body=PRIVATE_TEXT)
        notices.submit(notice, clerk)
        notices.reject(notice, sup, "退回：" + PRIVATE_TEXT)
        notices.update_draft(notice, clerk, title="联系人 138 1234 5678", body="正文：" + PRIVATE_TEXT)
        notices.submit(notice, clerk)
        notices.approve(notice, sup, "同意。" + PRIVATE_TEXT)
        today = clock.china_today()
        notices.publish(notice, clerk, today, today + dt.timedelta(days=10))
        correction = notices.start_correction(notice, clerk, "更正：" + PRIVATE_TEXT)
        q = feedback.ask(notice, channel="phone", text="我的问题：" + PRIVATE_TEXT + "？", contact="13812345678")
        feedback.answer(q, clerk, "答复：请拨打" + PRIVATE_TEXT + "。")
        other = feedback.ask(notice, channel="phone", text="垃圾信息")
        feedback.hide(other, clerk, "原因：" + PRIVATE_TEXT)
        req = feedback.register_request(village, clerk, requester="张三 13812345678", contact="13812345678",
                                        subject="申请：" + PRIVATE_TEXT, received_on=today)
        feedback.extend_request(req, clerk, 5, "延期：" + PRIVATE_TEXT)
        requests.reply(req, clerk, reply_type="予以公开", text="答复：" + PRIVATE_TEXT, replied_on=today)
        db.session.commit()
        notice_id, correction_id, q_id, req_id = notice.id, correction.id, q.id, req.id
    with app.app_context():
        notice, correction = db.session.get(Notice, notice_id), db.session.get(Notice, correction_id)
        q, req = db.session.get(Question, q_id), db.session.get(InfoRequest, req_id)
        stored = {
            "title": notice.title, "body": notice.body, "review": notice.review_comment,
            "correction": correction.correction_reason, "question": q.text, "answer": q.answer,
            "request": req.subject, "requester": req.requester, "extension": req.extension_reason,
            "reply": req.reply,
        }
        for where, text in stored.items():
            _assert_no_raw(text, where)
        assert notice.title == "联系人 138****5678"
        assert q.text.endswith("？") and "，" in q.text and q.answer.endswith("。")
        assert q.contact == "13812345678"  # the asker's own contact: staff only, as given
        notices.withdraw(db.session.get(Notice, notice_id), db.session.get(User, clerk_id), "撤回：" + PRIVATE_TEXT)
        db.session.commit()
        _assert_no_raw(db.session.get(Notice, notice_id).withdrawal_reason, "withdrawal")
    _assert_no_raw(_audit_text(app), "audit log")


def test_questions_and_answers_keep_chinese_punctuation(app, place, make_user) -> None:  # noqa: ANN001
    """Issue 10 §3: ，？ typed by a villager or by staff used to become ,?"""
    clerk_id, _ = _staff(app, make_user)
    with app.app_context():
        village = db.session.get(Village, place["v1"])
        notice = text_notice(village, "major", periods.month(2025, 9), start=dt.date(2025, 9, 24), title="修路公示")
        q = feedback.ask(notice, channel="phone", text="修路的钱，为什么多了？（第三组）", today=dt.date(2025, 9, 26))
        feedback.answer(q, db.session.get(User, clerk_id), "您好：已核实，多出的是材料费！详见公示；谢谢。")
        db.session.commit()
        assert q.text == "修路的钱，为什么多了？（第三组）"
        assert q.answer == "您好：已核实，多出的是材料费！详见公示；谢谢。"


def test_the_audit_log_scrubs_nested_values(app, place, make_user) -> None:  # noqa: ANN001
    from disclosure.services import audit

    clerk_id, _ = _staff(app, make_user)
    with app.app_context():
        audit.record(db.session.get(User, clerk_id), "test.nested", "notice", 1,
                     after={"rows": [{"phone": "138 1234 5678"}], "ids": ("+86 13812345678",)})
        db.session.commit()
    _assert_no_raw(_audit_text(app), "audit log")


# -- the keypad ------------------------------------------------------------------------------

def test_keypad_search_does_not_reveal_the_masked_character(app, place, make_user) -> None:  # noqa: ANN001
    clerk_id, _ = _staff(app, make_user)
    with app.app_context():
        clerk = db.session.get(User, clerk_id)
        village = db.session.get(Village, place["v1"])
        notice = notices.create_draft(village, clerk, category="subsidy", roster_kind="gengdi", title="耕地地力补贴",
                                      period=periods.year(2025))
        intake.add_roster_rows(notice, clerk, [PersonIn("苏秀桂", 100), PersonIn("苏明桂", 200), PersonIn("孙\u200b小刚", 300),
                                              PersonIn("李四", 400)])
        db.session.flush()
        assert [l.initials for l in notice.roster_lines] == ["S?G", "S?G", "S?G", "L?"]

        def found(typed: str) -> list[str]:
            return [l.name for l in public.roster_search(notice, typed, limit=100).lines]

        # whatever letter is typed for the masked character, the answer is the same
        answers = {letter: found(f"S{letter}G") for letter in "ABCDEFGHJKLMNOPQRSTWXYZ"}
        assert set(map(tuple, answers.values())) == {("苏*桂", "苏*桂", "孙*刚")}
        assert found("SXG") == found("SMG") == found("SAG")  # 苏秀桂's own initials still find her
        assert found("S") == ["苏*桂", "苏*桂", "孙*刚"]
        assert found("LS") == found("LA") == ["李*"]
        db.session.rollback()


# -- the done-means sweep ------------------------------------------------------------------------

HOSTILE_PEOPLE = [
    # name as typed, ID as typed, account as typed, phone as typed, note
    ("张\u200b建国", None, "6217 0012 3456 7890 123", "+86 138 1234 5678", "联系人电话 139 8765 4321"),
    ("\ufeff苏秀桂", None, "6217-0012-3456-7890-124", "0086 13912345678", "卡号６２１７　００１２　３４５６　７８９０　１２５"),
    ("王\u00ad小红", None, arabic_indic("6217001234567890126"), "138-1234-0001", ""),
    ("\u202e李\u202c四", None, "621700123456789012 7", "(+86)138 1234 0002", ""),
    ("欧\u2060阳\u200d小明", None, "6217\u200b0012\u200b3456\u200b7890\u200b128", "138\u00a01234\u00a00003", ""),
    ("赵\u3000钱孙", None, "6217 0012 3456 7890 129", "+86-138-1234-0004", ""),
]
FIRST17 = ["41010219900101123", "41010219850505002", "52240119800315123", "52240119550101004",
           "11010519491231002", "41010220000229001"]


def _hostile_roster() -> tuple[bytes, list[str], list[str]]:
    """An .xlsx roster with invisible characters in every name and every
    number written with separators, +86 or another digit script; returns the
    bytes, the full names and the raw private numbers."""
    wb = Workbook()
    ws = wb.active
    ws.title = "耕地地力补贴"
    ws.append(["一村2025年耕地地力保护补贴发放名单"])
    ws.append(["序号", "组别", "姓名", "身份证号码", "补贴面积（亩）", "补贴标准（元/亩）", "补贴金额（元）", "一卡通账号",
               "联系电话", "备注"])
    names, raw = [], []
    for i, ((name, _, account, phone, note), first17) in enumerate(zip(HOSTILE_PEOPLE, FIRST17, strict=True), 1):
        number = valid_id(first17)
        written = [f"{number[:6]} {number[6:14]} {number[14:]}", f"{number[:6]}-{number[6:]}", arabic_indic(number),
                   full_width(number), "\u200b".join(number), f"{number[:9]}\u3000{number[9:]}"][i - 1]
        ws.append([i, f"{i % 3 + 1}组", name, written, "10", "105.50", "1055.00", account, phone, note])
        names.append(re.sub(r"\s", "", "".join(ch for ch in name if unicodedata.category(ch) != "Cf")))
        raw += [number, _raw_digits(account), _raw_digits(phone)]
        raw += re.findall(r"\d{11,}", _digits_joined(note))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), names, raw


def _token(html: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.mark.slow
def test_a_notice_from_a_hostile_roster_shows_no_full_name_or_number_anywhere(app, place, make_user) -> None:  # noqa: ANN001
    clerk_id, sup_id = _staff(app, make_user)
    data, names, raw = _hostile_roster()
    assert len(names) == 6 and len(raw) >= 20
    client = login_as(app.test_client(), clerk_id)
    # the real import path: upload → preview → confirm
    preview = client.post("/admin/import", data={"what": "roster", "kind": "gengdi", "notice_id": "",
                                                 "file": (io.BytesIO(data), "名单.xlsx")},
                          content_type="multipart/form-data")
    assert preview.status_code == 200, preview.text
    assert "确认导入 6 行" in preview.text, preview.text
    done = client.post("/admin/import/confirm", data={"token": _token(preview.text)})
    assert done.status_code == 302, done.text
    notice_id = int(done.location.split("/admin/notices/")[1].split("#")[0])
    # private numbers typed into the title and the body, through the edit form
    title = "一村耕地补贴名单（咨询+86 138 1234 5678）"
    body = (f"如有疑问请联系会计，电话139-8765-4321，或{arabic_indic('13812340005')}。"
            f"误填的身份证：{valid_id(FIRST17[0])[:6]} {valid_id(FIRST17[0])[6:]}，账户6217 0012 3456 7890 123。")
    raw += ["13987654321", "13812340005"]
    r = client.post(f"/admin/notices/{notice_id}/edit", data={"title": title, "body": body})
    assert r.status_code == 302, r.text
    with app.app_context():
        notice = db.session.get(Notice, notice_id)
        clerk, sup = db.session.get(User, clerk_id), db.session.get(User, sup_id)
        lines = notice.roster_lines
        assert [l.name for l in lines] == names  # normalised at intake
        assert all("*" in l.public_name and l.public_name != l.name for l in lines)
        assert len({l.id_hash for l in lines}) == 6 and all(l.id_masked for l in lines)
        notices.submit(notice, clerk)
        notices.approve(notice, sup)
        today = clock.china_today()
        notices.publish(notice, clerk, today, today + dt.timedelta(days=10))
        q = feedback.ask(notice, channel="phone", text="我的卡号6217 0012 3456 7890 123，电话+86 138 1234 5678，钱没到？",
                         contact="+86 138 1234 5678")
        feedback.answer(q, clerk, "已核实，请拨打 139 8765 4321 联系。")
        db.session.commit()
        village_code = notice.village.code

    seen, kinds, leaks = 0, set(), []
    public_client = app.test_client()
    start = ["/kiosk/", "/m/", "/api/villages", "/api/openapi.json", "/v/", f"/kiosk/notice/{notice_id}",
             f"/m/notice/{notice_id}", f"/kiosk/{village_code}/c/subsidy"]
    for path, response, text in crawl(public_client, start):
        seen += 1
        kinds.add(response.headers.get("Content-Type", "").split(";")[0])
        joined = _digits_joined(text)
        visible = unicodedata.normalize("NFKC", "".join(c for c in text if unicodedata.category(c) != "Cf"))
        for pattern in (privacy.ID_PATTERN, privacy.ACCOUNT_PATTERN, privacy.MOBILE_PATTERN):
            if match := pattern.search(joined):
                leaks.append(f"{path}: {match.group()}")
        leaks += [f"{path}: {number}" for number in raw if number in joined]
        leaks += [f"{path}: {name}" for name in names if name in visible or name in re.sub(r"\s", "", visible)]
    assert not leaks, leaks[:10]
    assert seen > 15
    assert {"text/html", "application/pdf", "application/json", "text/csv"} <= kinds, kinds
    assert any("spreadsheetml" in k for k in kinds) and any("atom" in k for k in kinds), kinds
    # and the search on what is shown: the masked character is not a key
    def shown(typed: str) -> list[str]:
        page = public_client.get(f"/kiosk/notice/{notice_id}?q={typed}").get_data(as_text=True)
        return re.findall(r'<td class="name">([^<]*)</td>', page)

    assert shown("SXG") == shown("SAG") == shown("SZG") == ["苏*桂"]
    # nor in the audit log
    log = _digits_joined(_audit_text(app))
    assert not [number for number in raw if number in log]
