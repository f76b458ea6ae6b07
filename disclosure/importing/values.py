"""Cell values as clerks type them: dates, group numbers, counts, areas, text,
and the rows that are not lines (subtotals, carried-forward balances, the
signature footer)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

MIN_YEAR, MAX_YEAR = 1949, 2099


class ValueProblem(ValueError):
    """A cell that cannot be read; ``code`` and a Chinese ``message``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def strip_invisible(text: str) -> str:
    """Drop format characters (zero-width space/joiner, word joiner, BOM, soft
    hyphen, direction marks), which NFKC keeps: '姓\u200b名' reads '姓名'.
    Local to importing; privacy.normalize does the same for names and IDs."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


#: What clerks type in a cell that has nothing: a dash, a slash, 无.
EMPTY_MARKS = frozenset({"-", "--", "—", "——", "－", "/", "／", "无"})


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: object) -> str:
    """A cell as trimmed text: 3.0 → '3'; a leading apostrophe that guards a
    formula-like text (written by our own export) is dropped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    result = str(value).strip()
    if len(result) > 1 and result[0] == "'" and result[1] in "=+-@":
        result = result[1:]
    return result


# -- dates --------------------------------------------------------------------

_DATE = re.compile(
    r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*[日号]?"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# Excel serial numbers of 1949-01-01 .. 2099-12-31.
_SERIAL_MIN, _SERIAL_MAX = 17899, 73050


def parse_date(value: object) -> dt.date:
    """A date cell → date, or raise ValueProblem.

    Accepts datetime cells, Excel serial numbers (a number cell under a date
    column), '2025年7月3日', '2025.7.3', '2025/07/03', '2025-7-3', '20250703'.
    """
    if is_blank(value):
        raise ValueProblem("missing_date", "缺少日期")
    if isinstance(value, dt.datetime):
        return _plausible(value.date())
    if isinstance(value, dt.date):
        return _plausible(value)
    if isinstance(value, bool):
        raise ValueProblem("bad_date", "日期格式不对")
    if isinstance(value, (int, float)):
        return _from_number(value)
    raw = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE.match(raw) or _COMPACT_DATE.match(raw)
    if not match:
        raise ValueProblem("bad_date", "日期格式不对，请写成 2025-07-03 或 2025年7月3日")
    return _build(*(int(g) for g in match.groups()))


def _from_number(number: float) -> dt.date:
    if float(number).is_integer() and 19490101 <= number <= 20991231:
        whole = int(number)  # 20250703 typed as a number
        return _build(whole // 10000, whole // 100 % 100, whole % 100)
    if _SERIAL_MIN <= number <= _SERIAL_MAX:
        from openpyxl.utils.datetime import from_excel

        return _plausible(from_excel(number).date())
    raise ValueProblem("bad_date", "日期格式不对，请写成 2025-07-03 或 2025年7月3日")


def _build(year: int, month: int, day: int) -> dt.date:
    try:
        date = dt.date(year, month, day)
    except ValueError as exc:
        raise ValueProblem("no_such_date", "日期不存在") from exc
    return _plausible(date)


def _plausible(date: dt.date) -> dt.date:
    if not MIN_YEAR <= date.year <= MAX_YEAR:
        raise ValueProblem("bad_date", "日期年份不对")
    return date


# -- numbers ------------------------------------------------------------------

# Digits with thousands separators in groups of three (',' or a space, one
# kind), or none at all.
_PLAIN = r"\d+(?:\.\d*)?|\.\d+"
_GROUPED = r"\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d{1,3}(?: \d{3})+(?:\.\d*)?"

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(word: str) -> int | None:
    """'二' → 2, '十' → 10, '十二' → 12, '二十三' → 23 (up to 99)."""
    if not word or any(ch not in _CN_DIGITS and ch != "十" for ch in word):
        return None
    if "十" not in word:
        return _CN_DIGITS[word] if len(word) == 1 else None
    tens, _, units = word.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return None
    high = _CN_DIGITS[tens] if tens else 1
    low = _CN_DIGITS[units] if units else 0
    return high * 10 + low


_GROUP = re.compile(r"^第?([0-9]+|[零〇一二两三四五六七八九十]+)(?:村民小组|村民组|小组|组|队|社)?$")


def parse_group(value: object) -> int | None:
    """'第2村民小组', '2组', '二组', '第二组', '02', 2 → 2; unreadable → None."""
    if is_blank(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() and value > 0 else None
    raw = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    match = _GROUP.match(raw)
    if not match:
        return None
    word = match.group(1)
    number = int(word) if word.isdigit() else chinese_number(word)
    return number if number else None


def parse_decimal(value: object, unit_words: str = "") -> Decimal:
    """A quantity such as an area: 6.1, '6.1亩', '１２.５' → Decimal."""
    if isinstance(value, bool):
        raise ValueProblem("not_a_number", "不是数字")
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    raw = strip_invisible(unicodedata.normalize("NFKC", str(value))).strip().replace("，", ",")
    for word in unit_words.split():
        raw = raw.removesuffix(word).strip()
    if re.fullmatch(_GROUPED, raw):
        raw = raw.replace(",", "").replace(" ", "")
    if not re.fullmatch(_PLAIN, raw):
        raise ValueProblem("not_a_number", "不是数字")
    try:
        return Decimal(raw)
    except InvalidOperation as exc:  # pragma: no cover - regex guards this
        raise ValueProblem("not_a_number", "不是数字") from exc


def parse_count(value: object) -> int:
    """A head count: 4, 4.0, '4人', '４' → 4."""
    number = parse_decimal(value, "人 口")
    if number != number.to_integral_value() or number > 100:
        raise ValueProblem("not_a_number", "人数应为整数")
    return int(number)


# -- amounts ------------------------------------------------------------------

# A written amount, after NFKC and trimming: an optional currency sign, digits
# with thousands separators in groups of three (',' or a space, one kind) or
# none at all, an optional decimal part, an optional 元.
_AMOUNT = re.compile(rf"^(?P<sign>[+\-−])?(?:¥|RMB|CNY)?\s*(?P<number>{_PLAIN}|{_GROUPED})\s*(?:元)?$", re.IGNORECASE)


def amount_text(value: str) -> str:
    """A typed amount made plain for money.parse_amount, or raise ValueProblem.

    '¥1,234.50' → '1234.50'; '(300)' → '-300'; '1,23' and '12m00' are refused:
    a thousands separator must start a group of three digits, and no letter
    other than a currency word may stand in an amount."""
    raw = strip_invisible(unicodedata.normalize("NFKC", value)).strip()
    raw = raw.replace("，", ",").replace("\u3000", " ").replace("\xa0", " ")
    negative = raw.startswith("(") and raw.endswith(")")
    if negative:
        raw = raw[1:-1].strip()
    match = _AMOUNT.match(raw)
    if match is None:
        if not re.search(r"\d", raw):
            raise ValueProblem("not_a_number", "不是数字")
        shown = value.strip()[:20]
        if re.fullmatch(r"[\d.,\s¥元+\-−]+", raw):
            raise ValueProblem("ambiguous_amount", f"金额“{shown}”写法不明确：千分位逗号后应是三位数字，请核对")
        raise ValueProblem("ambiguous_amount", f"金额“{shown}”中有多余的字符，请只写数字")
    number = match.group("number").replace(",", "").replace(" ", "")
    sign = "-" if negative or match.group("sign") in ("-", "−") else ""
    return sign + number


# -- private numbers in columns we do not read -----------------------------------

_PRIVATE = (
    re.compile(r"(?<!\d)\d{17}[\dX](?!\d)|(?<!\d)\d{15}(?!\d)"),  # ID card
    re.compile(r"(?<!\d)\d{16,19}(?!\d)"),  # bank or 一卡通 account
    re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),  # mobile
    re.compile(r"(?<!\d)0\d{2,3}\d{7,8}(?!\d)"),  # landline with area code
)


def looks_private(value: object) -> bool:
    """A phone, ID or account number, also written with spaces or dashes,
    +86, full-width digits or as an Excel number ('5.22401E+17')."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, float):
        return value.is_integer() and len(str(int(abs(value)))) >= 11
    if isinstance(value, int):
        return len(str(abs(value))) >= 11
    text = strip_invisible(unicodedata.normalize("NFKC", str(value))).upper()
    digits = [ch for ch in text if unicodedata.decimal(ch, None) is not None]
    if len(digits) < 11:
        return False
    text = "".join(str(unicodedata.decimal(ch)) if unicodedata.decimal(ch, None) is not None else ch for ch in text)
    text = re.sub(r"\+86|\b0086", "", text)
    text = re.sub(r"(?<=[\dX])[\s\-.—_/]+(?=[\dX])", "", text)
    if re.search(r"\d\.\d+E\+?\d+", text):
        return True
    return any(pattern.search(text) for pattern in _PRIVATE)


# -- rows that are not lines ---------------------------------------------------

# A total word standing alone: only words of a period ('本月', '7-9月',
# '第三季度', '本年'), a group ('1组') or a side ('收入') may come before it.
_TOTAL_PREFIX = set("0123456789一二三四五六七八九十〇零年月份季度第本当上全期页组村民小收入支出共总-~～至到—")
_TOTAL_WORD = re.compile(r"^(?P<prefix>.{0,14}?)(?P<word>合计|小计|累计|总计|共计|总合计|合计数|累计数)[:]?$")
_RUNNING = re.compile(r"^(承前页|承上页|过次页|转下页|转次页)$")
_CARRIED = re.compile(r"^(上年|上月|上期|上季度?|本期|期初|年初|期末|年末)?(结转|结余|余额)$|^(上年|上期)?结转余额$")
_FOOTER = re.compile(
    r"^[^:]{0,12}(制表|审核|填表|填报|编制|复核|负责人|审批|经办|出纳|会计|监督|公示期|电话)[^:]{0,6}:"
    r"|^(注|说明|备注)[:：]|盖章\)?$"
)


def _compact(value: object) -> str:
    if not isinstance(value, str):
        return ""
    return re.sub(r"\s+", "", strip_invisible(unicodedata.normalize("NFKC", value)))


def total_word(cells: list[object]) -> tuple[str, bool] | None:
    """(the words, is running) when a cell holds a total standing alone:
    '本月合计', '合 计', '7-9月合计', '1组小计', '本年累计', '承前页'; None
    for '7-9月电费合计' or '保洁员工资小计', which are lines. A running total
    (累计, 承前页, 过次页) covers everything before it, possibly more."""
    for value in cells:
        word = _compact(value)
        if not word:
            continue
        if _RUNNING.match(word):
            return word, True
        match = _TOTAL_WORD.match(word)
        if match and set(match.group("prefix")) <= _TOTAL_PREFIX:
            return word.rstrip(":"), "累计" in match.group("word")
    return None


def is_carried_row(cells: list[object]) -> bool:
    """A balance, not a line: 上年结转, 期初余额, 本期结余."""
    return any(_CARRIED.match(_compact(value)) for value in cells if isinstance(value, str))


def is_footer_row(cells: list[object]) -> bool:
    """The signature line and notes under the table: '制表人：任富丽',
    '村务监督委员会审核：肖平', '公示期：…', '监督电话：12317', '说明：…'.
    Callers skip such a row only when it carries no amount."""
    return any(_FOOTER.match(_compact(value)) for value in cells if isinstance(value, str))


def is_blank_row(cells: list[object], ignore: set[int] = frozenset()) -> bool:  # type: ignore[assignment]
    return all(is_blank(v) for i, v in enumerate(cells) if i not in ignore)
