"""The one home of masking: names, ID numbers, accounts and phones.

Public outputs (kiosk, phone pages, PDFs, exports, feeds, API, logs) never get
an ID-card number, a bank account or a phone number. Rosters keep, from an
import, only what these functions return: a masked name for the public, a
keyed fingerprint of the ID number to catch double payments, and masked forms
of the rest for staff.

Hostile data is ordinary data. Two normalisations live here, and every
masking function applies them itself, so no caller can forget:

- :func:`normalize` for names and numbers: NFKC, invisible characters
  (format characters such as zero-width spaces, BOM, soft hyphen, direction
  overrides and isolates, and other default-ignorable code points) removed,
  digits of any script made ASCII, spaces removed.
- :func:`clean_text` for free text: only invisible and control characters go;
  Chinese punctuation (，。？！：；“”（）) stays as typed. :func:`scrub` then
  masks numbers found in it, however they are written (138-1234-5678,
  +86 138 1234 5678, an ID or account in groups).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterator

from .clock import china_today

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Contiguous shapes of numbers that must never be shown (used by the privacy
# sweep tests and log checks). scrub() finds more: separated and prefixed forms.
ID_PATTERN = re.compile(r"(?<!\d)\d{17}[\dXxＸｘ](?!\d)")
ACCOUNT_PATTERN = re.compile(r"(?<!\d)\d{16,19}(?!\d)")
MOBILE_PATTERN = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

#: Which character of a name the mask hides (张三明 → 张*明): the keypad
#: search treats that position as unknown too.
MASKED_POSITION = 1
MASK = "*"

# Code points that draw nothing (Unicode Default_Ignorable_Code_Point, plus the
# fillers that look blank): a name or number must not hide behind them.
_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x2800, 0x2800),
    (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
# Dashes a number may be written with: - ‐ ‑ ‒ – — ― − － ﹣
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\ufe63"


@functools.lru_cache(maxsize=4096)
def _is_invisible(char: str) -> bool:
    code = ord(char)
    if code < 0xAD:
        return False
    if unicodedata.category(char) == "Cf":
        return True
    return any(low <= code <= high for low, high in _IGNORABLE_RANGES)


@functools.lru_cache(maxsize=4096)
def _ascii_digit(char: str) -> str:
    """'٣', '３', '३' → '3'; any other character unchanged (one for one)."""
    if char.isascii() or unicodedata.category(char) != "Nd":
        return char
    return str(unicodedata.digit(char))


def clean_text(text: object) -> str:
    """Free text as typed, minus what cannot be seen: invisible (format,
    default-ignorable) and control characters go, line ends become ``\\n``,
    tabs a space. No NFKC: Chinese punctuation and full-width forms stay."""
    if text is None:
        return ""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(ch for ch in text if ch == "\n" or not _is_hidden(ch))


@functools.lru_cache(maxsize=4096)
def _is_hidden(char: str) -> bool:
    """Invisible, a control character or a lone surrogate."""
    return _is_invisible(char) or unicodedata.category(char) in ("Cc", "Cs")


def normalize(text: object) -> str:
    """A name or a number as one canonical string: NFKC (full-width and
    compatibility forms folded), invisible and control characters removed,
    digits of every script made ASCII, all spaces (U+3000 too) removed."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFKC", clean_text(text))
    return "".join(_ascii_digit(ch) for ch in text if not ch.isspace())


# Characters that look like the mask (after NFKC, ＊ and ﹡ are "*" already).
_MASK_LOOKALIKES = frozenset("*∗⁎⋆✱✲✳✺✻✼✽❋※")



def normalize_number(text: object) -> str:
    """An ID, account or phone number: :func:`normalize`, dashes removed, upper case."""
    value = normalize(text)
    return "".join(ch for ch in value if ch not in _DASHES).upper()


def _clusters(name: str) -> list[str]:
    """Characters with their combining marks attached (a mark is never a
    character of its own, so it cannot take the mask's place)."""
    clusters: list[str] = []
    for ch in name:
        if clusters and unicodedata.category(ch).startswith("M"):
            clusters[-1] += ch
        else:
            clusters.append(ch)
    return clusters


def mask_name(name: str, *, full: bool = False) -> str:
    """张三明 → 张*明, 张三 → 张*, 欧阳小明 → 欧*小明. ``full`` keeps the name
    (a township may require full names for a category)."""
    name = normalize(name)
    if full or not name:
        return name
    clusters = _clusters(name)
    # A typed asterisk up to the masked place (张*三明) would pose as the mask.
    while len(clusters) > 1 and any(c in _MASK_LOOKALIKES for c in clusters[:MASKED_POSITION + 1]):
        clusters = [c for i, c in enumerate(clusters) if i > MASKED_POSITION or c not in _MASK_LOOKALIKES]
    if len(clusters) <= 1:
        return "".join(clusters) + MASK
    return "".join(clusters[:MASKED_POSITION] + [MASK] + clusters[MASKED_POSITION + 1:])


def id_problem(id_number: str) -> str | None:
    """Why ``id_number`` is not a valid 18-character resident ID, or None."""
    value = normalize_number(id_number)
    if len(value) != 18:
        return "身份证号应为18位"
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        return "身份证号含有无效字符"
    if _birth_date(value[6:14]) is None:
        return "身份证号中的出生日期无效"
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        return "身份证号校验位不正确"
    return None


def _birth_date(yyyymmdd: str) -> dt.date | None:
    try:
        born = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None
    return born if 1900 <= born.year and born <= china_today() else None


def id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_fingerprint(id_number: str, key: bytes) -> str:
    """Keyed hash (HMAC-SHA256 with the instance secret) of an ID number:
    the same person gives the same fingerprint, however the number was
    written; the number cannot be read back."""
    value = normalize_number(id_number)
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def mask_id(id_number: str) -> str:
    """410102199001011234 → 4101**********1234 (staff screens only)."""
    value = normalize_number(id_number)
    if len(value) < 8:
        return MASK * len(value)
    return value[:4] + MASK * (len(value) - 8) + value[-4:]


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", normalize(text))


def mask_account(account: str) -> str:
    """Bank or 一卡通 account → ``尾号1234``."""
    digits = _digits(account)
    return f"尾号{digits[-4:]}" if len(digits) >= 4 else ""


def _national(digits: str) -> str:
    """Drop China's country code from a mobile: 8613812345678 → 13812345678."""
    for prefix in ("0086", "86"):
        rest = digits.removeprefix(prefix)
        if rest != digits and re.fullmatch(r"1[3-9][0-9]{9}", rest):
            return rest
    return digits


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678 (also written +86 138-1234-5678)."""
    digits = _national(_digits(phone))
    if len(digits) < 7:
        return MASK * len(digits)
    return digits[:3] + MASK * (len(digits) - 7) + digits[-4:]


# Free text --------------------------------------------------------------------

# One "run" of a number as people write it: digit groups separated by up to
# three spaces, dashes, dots, slashes or brackets, an optional leading + and an
# optional X closing an ID. Found on a one-for-one ASCII view of the text.
_RUN = re.compile(r"\+?[0-9](?:[ ./()\-]{0,3}[0-9])*(?:[ \-]?X)?", re.IGNORECASE)
_GROUP = re.compile(r"[0-9]+X?", re.IGNORECASE)
_LONGEST = 22  # digits: an ID with two more (残疾证号) plus a little


def _detection_view(text: str) -> str:
    """The text with every digit ASCII, every full-width form ASCII, every
    space a space and every dash '-': the same length, position for position."""
    return "".join(map(_view_char, text))


@functools.lru_cache(maxsize=4096)
def _view_char(ch: str) -> str:
    ch = _ascii_digit(ch)
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    if ch in _DASHES:
        return "-"
    if ch != "\n" and ch.isspace():
        return " "
    return ch


_MOBILE = re.compile(r"(?:0086|86)?1[3-9][0-9]{9}")
_ID18 = re.compile(r"[0-9]{17}[0-9X]([0-9]{2})?")  # with two more digits: a 残疾证号
_ID15 = re.compile(r"[0-9]{15}")


def _classify(value: str, *, grouped: bool) -> str | None:
    """What a number (digits, maybe a final X) is: 'mobile', 'id', 'account' or None.
    A number the typist split into groups must look like a real ID (a birth
    date) to count as one; a number written in one piece needs only the shape."""
    if len(value) < 11:
        return None
    if _MOBILE.fullmatch(value):
        return "mobile"
    if _ID18.fullmatch(value):
        if not grouped or _birth_date(value[6:14]) is not None:
            return "id"
    if _ID15.fullmatch(value) and _birth_date("19" + value[6:12]) is not None:
        return "id"  # first-generation 15-digit ID
    if value.isdigit() and len(value) >= 16 and (not grouped or 16 <= len(value) <= 19):
        return "account"
    return None


def _account_groups(sizes: list[int]) -> bool:
    """How bank cards are written: 6222 0212 3456 7890 123, or 622202 1234567890123."""
    return all(n == 4 for n in sizes[:-1]) or (len(sizes) == 2 and sizes[0] == 6)


def _masked(kind: str, value: str) -> str:
    if kind == "mobile":
        national = _national(value)
        return value[: len(value) - len(national)] + mask_phone(national)
    if kind == "id":
        return mask_id(value)
    return mask_account(value)


def _private_spans(view: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, masked form) of every private number in ``view``: within
    each run, from each group on, the longest run of groups that makes one."""
    for run in _RUN.finditer(view):
        groups = [(m.start() + run.start(), m.end() + run.start(), m.group().upper())
                  for m in _GROUP.finditer(run.group())]
        i = 0
        while i < len(groups):
            found, value = None, ""
            for j in range(i, len(groups)):
                if j > i and len(groups[j - 1][2]) < 2:
                    break  # nobody writes a number as 1 2 3 …: only its last group may be one digit
                value += groups[j][2]
                if len(value) > _LONGEST:
                    if j == i and value.isdigit():
                        found = (j, "account", value)  # a long number in one piece: never shown
                    break
                kind = _classify(value, grouped=j > i)
                if kind == "account" and j > i and not _account_groups([len(g[2]) for g in groups[i:j + 1]]):
                    kind = None
                if kind:
                    found = (j, kind, value)
            if found is None:
                i += 1
                continue
            j, kind, value = found
            start = groups[i][0]
            if kind == "mobile":
                # +86 138 1234 5678: the country code stays as written.
                national = _national(value)
                for k in range(i, j + 1):
                    if "".join(g[2] for g in groups[k:j + 1]) == national:
                        start, value = groups[k][0], national
                        break
            yield start, groups[j][1], _masked(kind, value)
            i = j + 1


def scrub(text: str) -> str:
    """Free text fit to store and show: :func:`clean_text`, then every number
    shaped like an ID, a bank account or a mobile, written in one piece or in
    groups, with +86 or 0086, in any digit script, replaced by its masked
    form. Everything else stays as typed (，。？ are not touched)."""
    text = clean_text(text)
    view = _detection_view(text)
    out, last = [], 0
    for start, end, masked in _private_spans(view):
        out.append(text[last:start])
        out.append(masked)
        last = end
    out.append(text[last:])
    return "".join(out)


def has_private_number(text: str) -> bool:
    """Whether :func:`scrub` would mask a number in ``text`` (not merely drop an invisible character)."""
    return next(_private_spans(_detection_view(clean_text(text))), None) is not None


def scrub_text(text: object, limit: int | None = None) -> str:
    """Free text from a form or a file, ready to store: scrubbed, trimmed, cut to ``limit``."""
    value = scrub(text).strip()
    return value if limit is None else value[:limit].strip()
