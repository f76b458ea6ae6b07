"""The one home of masking: names, ID numbers, accounts and phones.

Public outputs (kiosk, phone pages, PDFs, exports, feeds, API, logs) never get
an ID-card number, a bank account or a phone number. Rosters keep, from an
import, only what these functions return: a masked name for the public, a
keyed fingerprint of the ID number to catch double payments, and masked forms
of the rest for staff.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import unicodedata

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Patterns for sweeping free text (questions, logs, exports) of numbers that
# must never be shown. Order matters: IDs first, then accounts, then mobiles.
ID_PATTERN = re.compile(r"(?<!\d)\d{17}[\dXxＸｘ](?!\d)")
ACCOUNT_PATTERN = re.compile(r"(?<!\d)\d{16,19}(?!\d)")
MOBILE_PATTERN = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def normalize(text: object) -> str:
    """NFKC (full-width digits to ASCII), trimmed, inner spaces removed."""
    if text is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def mask_name(name: str, *, full: bool = False) -> str:
    """张三明 → 张*明, 张三 → 张*, 欧阳小明 → 欧*小明. ``full`` keeps the name
    (a township may require full names for a category)."""
    name = normalize(name)
    if full or not name:
        return name
    if len(name) == 1:
        return name + "*"
    return name[0] + "*" + name[2:]


def id_problem(id_number: str) -> str | None:
    """Why ``id_number`` is not a valid 18-character resident ID, or None."""
    value = normalize(id_number).upper()
    if len(value) != 18:
        return "身份证号应为18位"
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return "身份证号含有无效字符"
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号中的出生日期无效"
    if born.year < 1900 or born > dt.date.today():
        return "身份证号中的出生日期无效"
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        return "身份证号校验位不正确"
    return None


def id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_fingerprint(id_number: str, key: bytes) -> str:
    """Keyed hash (HMAC-SHA256 with the instance secret) of an ID number:
    the same person gives the same fingerprint, the number cannot be read back."""
    value = normalize(id_number).upper()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def mask_id(id_number: str) -> str:
    """410102199001011234 → 4101**********1234 (staff screens only)."""
    value = normalize(id_number).upper()
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_account(account: str) -> str:
    """Bank or 一卡通 account → ``尾号1234``."""
    digits = re.sub(r"\D", "", normalize(account))
    return f"尾号{digits[-4:]}" if len(digits) >= 4 else ""


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678."""
    digits = re.sub(r"\D", "", normalize(phone))
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def scrub(text: str) -> str:
    """Replace anything shaped like an ID, account or mobile number in free
    text (a villager's question, a log line) by its masked form."""
    # Full-width digits count as digits, but the rest of the text (Chinese
    # punctuation such as ，（）) is left as written: a one-to-one mapping.
    text = text.translate(_FULLWIDTH_DIGITS)
    text = ID_PATTERN.sub(lambda m: mask_id(m.group()), text)
    text = ACCOUNT_PATTERN.sub(lambda m: mask_account(m.group()), text)
    return MOBILE_PATTERN.sub(lambda m: mask_phone(m.group()), text)
