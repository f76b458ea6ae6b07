"""Bytes → a grid of cell values, with the checks an upload needs first.

A clerk's file is untrusted input: size limits, zip-bomb and encrypted-file
checks happen before openpyxl sees it, and every failure becomes a
:class:`~disclosure.importing.model.Problem` with a Chinese message, never an
exception that leaks details.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import iterparse


from .model import Problem

MAX_BYTES = 10 * 1024 * 1024
MAX_DATA_ROWS = 20_000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for members large enough to matter
RATIO_FLOOR = 1024 * 1024  # members smaller than this are never a bomb
MAX_MEMBERS = 10_000
MAX_COLUMNS = 100
# Rows read per sheet: room for titles, the header, subtotals and the footer
# above the data limit; anything longer is refused as too many rows.
MAX_READ_ROWS = MAX_DATA_ROWS + 2_000
# Excel keeps styled empty rows; after this many blank rows in a row the sheet
# is taken to have ended.
MAX_BLANK_RUN = 1_000

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

MSG_NOT_SPREADSHEET = "这不是 Excel 表格文件（.xlsx）或 CSV 文件"
MSG_ENCRYPTED = "文件已加密或是旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再上传"
MSG_TOO_LARGE = "文件超过10MB，请删去无关的工作表或分成几个文件上传"
MSG_ZIP_BOMB = "文件解压后过大或结构异常，已拒绝读取，请在 Excel 中重新另存为 .xlsx 后再上传"
MSG_TOO_MANY_ROWS = f"数据超过{MAX_DATA_ROWS}行，请分成几个文件上传"
MSG_BAD_ENCODING = "CSV 文件的文字编码无法识别，请在 Excel 中另存为 .xlsx 后再上传"


class ReadError(Exception):
    """The file cannot be read at all; carries the one file-level problem."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.problem = Problem(None, "", message, code)


@dataclass
class Sheet:
    """Cell values of one worksheet. ``rows[i]`` is sheet row ``i + 1``.

    Cells covered by a merged range spanning several rows carry the range's
    top-left value; their positions are in ``filled`` so that amounts are not
    counted twice.
    """

    name: str
    rows: list[list[object]]
    filled: set[tuple[int, int]] = field(default_factory=set)  # (row index, column index), 0-based
    truncated: bool = False  # more rows than MAX_READ_ROWS
    is_hidden: bool = False
    is_broken: bool = False  # the sheet's XML could not be read; the other sheets could


def read_sheets(data: bytes, filename: str) -> list[Sheet]:
    """All worksheets of an .xlsx, or the one table of a CSV.

    Raises :class:`ReadError` for anything that is not a readable spreadsheet.
    """
    if len(data) > MAX_BYTES:
        raise ReadError("too_large", MSG_TOO_LARGE)
    if data.startswith(OLE2_MAGIC):
        raise ReadError("encrypted", MSG_ENCRYPTED)
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data)
    if filename.lower().endswith((".csv", ".txt")):
        return [_read_csv(data)]
    raise ReadError("not_a_spreadsheet", MSG_NOT_SPREADSHEET)


# -- xlsx ---------------------------------------------------------------------


def check_zip(archive: zipfile.ZipFile) -> None:
    """Refuse zip bombs by the sizes the archive declares.

    zipfile never inflates a member beyond its declared size, so checking the
    declared sizes bounds what openpyxl can make us decompress.
    """
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ReadError("zip_bomb", MSG_ZIP_BOMB)
    total = 0
    for info in members:
        total += info.file_size
        if total > MAX_UNCOMPRESSED:
            raise ReadError("zip_bomb", MSG_ZIP_BOMB)
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ReadError("zip_bomb", MSG_ZIP_BOMB)


def _read_xlsx(data: bytes) -> list[Sheet]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ReadError("not_a_spreadsheet", MSG_NOT_SPREADSHEET) from exc
    with archive:
        check_zip(archive)
        names = set(archive.namelist())
        if "EncryptionInfo" in names or "EncryptedPackage" in names:
            raise ReadError("encrypted", MSG_ENCRYPTED)
        if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
            raise ReadError("not_a_spreadsheet", MSG_NOT_SPREADSHEET)
    try:
        return _load_sheets(data)
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - untrusted file: any parser failure means "unreadable"
        raise ReadError("not_a_spreadsheet", MSG_NOT_SPREADSHEET) from exc


def _load_sheets(data: bytes) -> list[Sheet]:
    import openpyxl  # deferred: importing openpyxl costs ~0.2 s

    sheets: list[Sheet] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for worksheet in workbook.worksheets:
                if not hasattr(worksheet, "reset_dimensions"):
                    continue  # a chartsheet
                try:
                    sheets.append(_read_worksheet(workbook, worksheet))
                except Exception:  # noqa: BLE001 - one damaged sheet is named; the others are still read
                    sheets.append(Sheet(str(worksheet.title), [], is_broken=True))
        finally:
            workbook.close()
    return sheets


def _read_worksheet(workbook, worksheet) -> Sheet:
    # The dimension recorded in the file is often wrong (some generators
    # write "A1"); read every row up to our own limit instead.
    worksheet.reset_dimensions()
    rows: list[list[object]] = []
    truncated = False
    non_blank = blank_run = 0
    for cells in worksheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True):
        row = _trim(list(cells))
        blank_run = 0 if row else blank_run + 1
        if blank_run > MAX_BLANK_RUN:
            break  # formatting applied far down an otherwise empty sheet
        non_blank += bool(row)
        if non_blank > MAX_READ_ROWS:
            truncated = True
            break
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    sheet = Sheet(worksheet.title, rows, truncated=truncated,
                  is_hidden=getattr(worksheet, "sheet_state", "visible") != "visible")
    _fill_merged(sheet, _merged_ranges(workbook, worksheet))
    return sheet


def _merged_ranges(workbook, worksheet) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of every merged range.

    Read-only worksheets do not expose merged cells, so read the
    ``<mergeCell ref="A1:G1"/>`` elements from the sheet's XML ourselves.
    """
    ranges: list[tuple[int, int, int, int]] = []
    path = getattr(worksheet, "_worksheet_path", None)
    if not path:
        return ranges
    with workbook._archive.open(path) as source:
        for _event, element in iterparse(source, events=("end",)):
            if element.tag.endswith("}mergeCell"):
                from openpyxl.utils.cell import range_boundaries  # deferred, as openpyxl itself

                bounds = range_boundaries(element.get("ref", ""))
                if None not in bounds:
                    ranges.append(bounds)  # type: ignore[arg-type]
            if not element.tag.endswith("}mergeCells"):
                element.clear()
    return ranges


def _fill_merged(sheet: Sheet, ranges: list[tuple[int, int, int, int]]) -> None:
    """Copy the top-left value down ranges that span several rows (a date or a
    group written once for several lines). Ranges on one row (a title across
    the columns) need nothing: the value sits in their first cell."""
    for min_col, min_row, max_col, max_row in ranges:
        if max_row == min_row or min_row > len(sheet.rows):
            continue
        top = sheet.rows[min_row - 1]
        value = top[min_col - 1] if min_col - 1 < len(top) else None
        if value is None:
            continue
        for r in range(min_row, min(max_row, len(sheet.rows))):
            row = sheet.rows[r]
            for c in range(min_col - 1, min(max_col, MAX_COLUMNS)):
                if c >= len(row):
                    row.extend([None] * (c + 1 - len(row)))
                if row[c] is None:
                    row[c] = value
                    sheet.filled.add((r, c))


def _trim(cells: list[object]) -> list[object]:
    """Blank strings to None, trailing empty cells dropped."""
    out = [None if isinstance(v, str) and not v.strip() else v for v in cells]
    while out and out[-1] is None:
        out.pop()
    return out


# -- csv ----------------------------------------------------------------------

_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a BOM), UTF-16 with a BOM (Excel's "Unicode
    text", tab-separated), else GB18030 as Excel on Chinese Windows saves."""
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReadError("not_a_spreadsheet", MSG_BAD_ENCODING) from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError("not_a_spreadsheet", MSG_BAD_ENCODING)


def _read_csv(data: bytes) -> Sheet:
    text = decode_text(data)
    if _BINARY.search(text):
        raise ReadError("not_a_spreadsheet", MSG_NOT_SPREADSHEET)
    delimiter = _guess_delimiter(text)
    rows: list[list[object]] = []
    truncated = False
    non_blank = 0
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            row = _trim([cell.strip() for cell in record[:MAX_COLUMNS]])
            non_blank += bool(row)
            if non_blank > MAX_READ_ROWS:
                truncated = True
                break
            rows.append(row)
    except csv.Error as exc:
        raise ReadError("not_a_spreadsheet", MSG_NOT_SPREADSHEET) from exc
    return Sheet("", rows, truncated=truncated)


def _guess_delimiter(text: str) -> str:
    """Comma unless the first lines clearly use tabs or semicolons.
    (csv.Sniffer guesses wildly on short Chinese files.)"""
    head = "\n".join(text.splitlines()[:10])
    counts = {d: head.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","
