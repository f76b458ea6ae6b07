"""disclosure.privacy: the one place names, IDs, accounts and phones are masked."""

from __future__ import annotations

import re

import pytest

from disclosure.privacy import (
    id_check_digit, id_fingerprint, id_problem, mask_account, mask_id, mask_name, mask_phone, scrub,
)


def valid_id(first17: str) -> str:
    return first17 + id_check_digit(first17)


# A well-known example number with check digit X, and some built ones.
ID_X = "11010519491231002X"
ID_A = valid_id("52240119800315123")
ID_B = valid_id("52240119550101004")


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("李明", "李*"),
        ("张三明", "张*明"),
        ("王秀兰", "王*兰"),
        ("欧阳小明", "欧*小明"),
        ("司马相如", "司*相如"),
        ("阿卜杜热合曼", "阿*杜热合曼"),
        ("王", "王*"),
        ("", ""),
        (" 张 三 明 ", "张*明"),  # inner spaces from a spreadsheet are removed first
        ("张三明\u3000", "张*明"),  # ideographic space
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_mask_name_full_keeps_the_name() -> None:
    assert mask_name("张三明", full=True) == "张三明"


def test_masked_name_never_contains_the_second_character() -> None:
    for name in ("张三", "张三明", "欧阳小明"):
        assert name[1] not in mask_name(name)[1:2]
        assert mask_name(name)[1] == "*"


def test_check_digit_of_the_example_number() -> None:
    assert id_check_digit(ID_X[:17]) == "X"


@pytest.mark.parametrize("value", [ID_X, ID_X.lower(), ID_A, ID_B, " " + ID_A + " ", ID_A.translate(
    str.maketrans("0123456789", "０１２３４５６７８９"))])
def test_id_problem_accepts_valid_numbers(value: str) -> None:
    assert id_problem(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "身份证号应为18位"),
        ("52240119800315123", "身份证号应为18位"),  # 17 characters
        (ID_A + "1", "身份证号应为18位"),
        ("522401800315123", "身份证号应为18位"),  # old 15-digit number
        ("52240119800315123Y", "身份证号含有无效字符"),
        ("5224011980031512X3", "身份证号含有无效字符"),
        (valid_id("52240119800230123"), "身份证号中的出生日期无效"),  # 30 February
        (valid_id("52240119801315123"), "身份证号中的出生日期无效"),  # month 13
        (valid_id("52240118800101123"), "身份证号中的出生日期无效"),  # before 1900
        (valid_id("52240129990101123"), "身份证号中的出生日期无效"),  # in the future
        (ID_A[:17] + ("1" if ID_A[17] != "1" else "2"), "身份证号校验位不正确"),
        ("110105194912310021", "身份证号校验位不正确"),
    ],
)
def test_id_problem_refuses(value: str, message: str) -> None:
    assert id_problem(value) == message


def test_fingerprint_is_keyed_stable_and_not_reversible() -> None:
    key = b"instance-secret-one"
    first = id_fingerprint(ID_A, key)
    assert first == id_fingerprint(ID_A, key)  # stable
    assert first == id_fingerprint(ID_A.lower() + " ", key)  # normalised before hashing
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert ID_A not in first and ID_A[-6:] not in first
    assert first != id_fingerprint(ID_A, b"instance-secret-two")  # keyed: another instance differs
    assert first != id_fingerprint(ID_B, key)  # different people differ
    # an x in the check digit is the same person as X
    assert id_fingerprint(ID_X, key) == id_fingerprint(ID_X.lower(), key)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (ID_X, "1101**********002X"),
        ("410102199001011234", "4101**********1234"),
        ("1234567", "*******"),
    ],
)
def test_mask_id(value: str, masked: str) -> None:
    assert mask_id(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("6217001234567890123", "尾号0123"),
        ("6217 0012 3456 7890 123", "尾号0123"),
        ("123", ""),
    ],
)
def test_mask_account(value: str, masked: str) -> None:
    assert mask_account(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("0851-1234567", "085****4567"),
        ("12345", "*****"),
    ],
)
def test_mask_phone(value: str, masked: str) -> None:
    assert mask_phone(value) == masked


def test_scrub_removes_ids_accounts_and_mobiles() -> None:
    account = "6217001234567890123"
    text = (f"我叫张三明，身份证{ID_A}，卡号{account}，电话13812345678，"
            f"我爱人的身份证是{ID_X.lower()}，全角电话１３９８７６５４３２１。")
    clean = scrub(text)
    assert ID_A not in clean and ID_X.lower() not in clean and ID_X not in clean
    assert account not in clean
    assert "13812345678" not in clean and "13987654321" not in clean
    # nothing left that looks like an ID, account or mobile
    assert not re.search(r"\d{11,}", clean)
    assert mask_id(ID_A) in clean
    assert "尾号0123" in clean
    assert "138****5678" in clean and "139****4321" in clean
    assert "张三明" in clean  # scrub is about numbers; names are masked elsewhere


def test_scrub_leaves_ordinary_numbers() -> None:
    text = "2025年10月领到低保金410元，第3村民小组，电话0851-1234567，票号12345678"
    assert scrub(text) == text


def test_scrub_keeps_chinese_punctuation_around_a_masked_number() -> None:
    assert scrub("支付（电话13812345678）：工资") == "支付（电话138****5678）：工资"


def test_scrub_masks_full_width_ids() -> None:
    full = "".join(chr(ord(c) + 0xFEE0) for c in ID_X)  # every character full-width, Ｘ too
    clean = scrub(f"身份证：{full}。")
    assert clean == f"身份证：{mask_id(ID_X)}。"
