"""Attachments (附件) of a notice: a PDF (contract, meeting minutes, scanned
tender result) or a JPEG/PNG (drawing, photo of a paper).

* Images go through the receipt photos' own cleaner
  (:func:`disclosure.vouchers.process_image`): re-encoded, no metadata.
* PDFs are checked (:func:`check_pdf`: a real PDF by its magic bytes and by
  parsing, not encrypted, at most :data:`MAX_PAGES` pages, no JavaScript,
  automatic or launch actions, embedded files or rich media) and rendered to
  page images once, at upload, for the kiosk (whose browser never opens a PDF).
* Every file is kept through :func:`save_file` / :func:`open_file`, the one
  pair that knows where files live (today UPLOAD_DIR/attachments/), named by
  the SHA-256 of the stored bytes.
* A library document's PDF (services/library.py) goes through the same
  :func:`check_pdf_file` and :func:`save_pages`: one check, one set of pictures.

A refused file raises ServiceError with a Chinese message before anything is
stored. The database side (:func:`add`, :func:`set_public`, :func:`remove`)
leaves the commit to the caller, like every service.
"""

from __future__ import annotations

import hashlib
import io
import re
import subprocess  # nosec B404 - only through printing.page_images (a fixed program, no shell)
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import privacy, storage
from .services import ServiceError

MAX_BYTES = 10 * 1024 * 1024
MAX_PAGES = 20
#: The largest page rendered for the kiosk, in points: A0 (a drawing), either way round.
MAX_PAGE_POINTS = (2384, 3370)
MAX_PER_NOTICE = 20
TITLE_MAX = 100
PAGE_DPI = 110
#: Names a viewer acts on by itself (scripts, actions on open, programs, files
#: inside the file, media players, XML forms): a notice's attachment needs none.
FORBIDDEN_NAMES = {
    "/JavaScript": "JavaScript 脚本", "/JS": "JavaScript 脚本", "/OpenAction": "打开时自动执行的动作",
    "/AA": "自动执行的动作", "/Launch": "启动外部程序的动作", "/EmbeddedFile": "嵌入的文件",
    "/EmbeddedFiles": "嵌入的文件", "/RichMedia": "嵌入的多媒体", "/XFA": "XFA 表单",
}
#: Walking a file's objects stops here (a real notice's PDF has a few thousand).
MAX_OBJECTS = 200_000
_NAME = re.compile(r"[0-9a-f]{64}(\.p[0-9]{1,3})?\.(pdf|jpg)")
_JPEG, _PNG, _PDF = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"%PDF-"


# The file store: the one save/open pair ----------------------------------------

def _stored_name(name: str) -> str:
    if not _NAME.fullmatch(name or ""):
        raise ValueError("not an attachment file name")
    return f"attachments/{name}"


def save_file(name: str, data: bytes) -> None:
    """Keep ``data`` under ``name`` (a content hash: written once, then the
    same) in the file store (disclosure/storage.py: every node sees it)."""
    key = _stored_name(name)
    if not storage.exists(key):
        storage.put(key, data)


def open_file(name: str) -> bytes | None:
    """The bytes kept under ``name``, or None when there is no such file."""
    return storage.get(_stored_name(name))


def original_name(sha256: str, kind: str) -> str:
    return f"{sha256}.{'pdf' if kind == 'pdf' else 'jpg'}"


def page_name(sha256: str, kind: str, page_no: int) -> str:
    """The image shown for page ``page_no`` (from 1): an image is its own page 1."""
    return f"{sha256}.jpg" if kind == "image" else f"{sha256}.p{page_no}.jpg"


# Checking a file (pure: bytes in, clean files out) ----------------------------

@dataclass(frozen=True)
class CheckedFile:
    kind: str  # pdf | image
    sha256: str
    data: bytes  # what is stored and hashed: the PDF as uploaded, or the clean JPEG
    pages: tuple[bytes, ...]  # JPEG of each page for the kiosk (an image: none, it is its own page)

    @property
    def page_count(self) -> int:
        return len(self.pages) or 1


def check_file(data: bytes) -> CheckedFile:
    """A PDF or an image ready to store, or ServiceError (field ``file``)."""
    from .vouchers import process_image

    _check_size(data)
    if data.startswith(_PDF):
        return check_pdf_file(data)
    if data.startswith(_JPEG) or data.startswith(_PNG):
        jpeg, _thumb, _width, _height, sha = process_image(data, max_bytes=MAX_BYTES)
        return CheckedFile("image", sha, jpeg, ())
    raise ServiceError("只接受 PDF 文件或 JPEG、PNG 图片（按文件内容识别，与扩展名无关）", "file")


def check_pdf_file(data: bytes) -> CheckedFile:
    """A PDF only (a library document, disclosure/services/library.py) ready to
    store with its page images, checked as an attachment's, or ServiceError (field ``file``)."""
    _check_size(data)
    if not data.startswith(_PDF):
        raise ServiceError("只接受 PDF 文件（按文件内容识别，与扩展名无关）", "file")
    pages = check_pdf(data)
    return CheckedFile("pdf", hashlib.sha256(data).hexdigest(), data, render_pages(data, pages))


def _check_size(data: bytes) -> None:
    if not data:
        raise ServiceError("请选择要上传的文件", "file")
    if len(data) > MAX_BYTES:
        raise ServiceError(f"文件不能超过{MAX_BYTES // (1024 * 1024)}MB", "file")


def check_pdf(data: bytes, *, max_pages: int = MAX_PAGES) -> int:
    """The page count of a PDF a villager may safely be shown, or ServiceError
    (also the check of a request's released documents, services/requests.py)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ServiceError("PDF 文件已加密，请上传未加密的文件", "file")
        pages = len(reader.pages)
        too_big = any(_oversized(page) for page in reader.pages[:max_pages])
        found = _forbidden(reader.trailer)
    except ServiceError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
            OSError, AssertionError, NotImplementedError, ZeroDivisionError):
        raise ServiceError("PDF 文件已损坏，无法读取", "file") from None
    if pages < 1:
        raise ServiceError("PDF 文件没有页面", "file")
    if pages > max_pages:
        raise ServiceError(f"PDF 不能超过{max_pages}页（本文件{pages}页），请拆分后分别上传", "file")
    if too_big:
        raise ServiceError("PDF 页面尺寸过大（超过 A0），请缩小页面后再上传", "file")
    if found:
        raise ServiceError(f"PDF 含有{'、'.join(sorted(set(found)))}，出于安全不能上传；"
                           "请用“打印为 PDF”或扫描件重新生成后再上传", "file")
    return pages


def _oversized(page) -> bool:  # noqa: ANN001 - a pypdf page
    """A page pdftoppm would turn into a picture too large to keep in memory."""
    short, long = sorted((abs(float(page.mediabox.width)), abs(float(page.mediabox.height))))
    return short > MAX_PAGE_POINTS[0] or long > MAX_PAGE_POINTS[1]


def _forbidden(root) -> list[str]:  # noqa: ANN001 - a pypdf object
    """What of :data:`FORBIDDEN_NAMES` occurs in the objects reachable from
    the trailer, as key or as value (pypdf has decoded #xx escapes in names)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    found: list[str] = []
    seen: set[tuple[int, int]] = set()
    stack = [root]
    steps = 0
    while stack:
        steps += 1
        if steps > MAX_OBJECTS:
            raise ValueError("too many objects")
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            obj = obj.get_object()
        if isinstance(obj, NameObject):
            if str(obj) in FORBIDDEN_NAMES:
                found.append(FORBIDDEN_NAMES[str(obj)])
        elif isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                if str(key) in FORBIDDEN_NAMES:
                    found.append(FORBIDDEN_NAMES[str(key)])
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return found


def render_pages(data: bytes, expected: int) -> tuple[bytes, ...]:
    """Each page as a clean JPEG (poppler's pdftoppm, then the photos' encoder)."""
    from PIL import Image

    from .printing import page_images
    from .vouchers import encode_jpeg

    with tempfile.TemporaryDirectory() as work:
        try:
            paths = page_images(data, work, dpi=PAGE_DPI)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError):
            raise ServiceError("PDF 文件无法显示（可能已损坏），请重新生成后再上传", "file") from None
        if len(paths) != expected:
            raise ServiceError("PDF 文件无法完整显示（可能已损坏），请重新生成后再上传", "file")
        pages = []
        for path in paths:
            with Image.open(path) as image:
                pages.append(encode_jpeg(image.convert("RGB")))
    return tuple(pages)


FILENAME_MAX = 200


def clean_filename(filename: str | None) -> str:
    """The uploaded file's own name, without the folder a browser may send, scrubbed like any text."""
    return privacy.scrub_text(Path((filename or "").replace("\\", "/")).name, FILENAME_MAX)


def clean_title(title: str | None, filename: str | None) -> str:
    """The clerk's title, or the file's name without its extension."""
    text = privacy.scrub_text(title or "", TITLE_MAX)
    if not text:
        text = privacy.scrub_text(clean_filename(filename).rsplit(".", 1)[0], TITLE_MAX)
    return text or "附件"


def save_pages(checked: CheckedFile) -> list[str]:
    """Keep a checked file's page images in the file store; the SHA-256 of
    each as kept (an earlier upload's pictures of the same PDF stay as they were)."""
    digests = []
    for number, page in enumerate(checked.pages, start=1):
        name = page_name(checked.sha256, checked.kind, number)
        save_file(name, page)
        digests.append(hashlib.sha256(open_file(name) or b"").hexdigest())
    return digests


# Database side ---------------------------------------------------------------

def add(notice, user, data: bytes, *, filename: str = "", title: str = ""):  # noqa: ANN001 - Notice, User
    """Check, store and attach a file to a draft the user may edit. It starts
    private: a supervisor decides during review whether villagers see it."""
    from .extensions import db
    from .models import NoticeAttachment
    from .services import audit, notices

    notices.ensure_editable(notice, user)
    if len(notice.attachments) >= MAX_PER_NOTICE:
        raise ServiceError(f"每份公示最多{MAX_PER_NOTICE}个附件", "file")
    checked = check_file(data)
    if any(a.sha256 == checked.sha256 for a in notice.attachments):
        raise ServiceError("这份文件已经是本公示的附件", "file")
    digests = save_pages(checked)
    save_file(original_name(checked.sha256, checked.kind), checked.data)
    attachment = NoticeAttachment(
        seq=max((a.seq for a in notice.attachments), default=0) + 1, title=clean_title(title, filename),
        filename=clean_filename(filename), kind=checked.kind, sha256=checked.sha256, byte_size=len(checked.data),
        page_count=checked.page_count, page_digests=" ".join(digests), is_public=False, uploaded_by_id=user.id)
    notice.attachments.append(attachment)
    db.session.flush()
    audit.record(user, "attachment.add", "attachment", attachment.id, township_id=notice.village.township_id,
                 after={"notice_id": notice.id, "title": attachment.title, "kind": attachment.kind,
                        "sha256": attachment.sha256, "pages": attachment.page_count})
    return attachment


def set_public(attachment, user, is_public: bool) -> None:  # noqa: ANN001
    """A supervisor of the village, reviewing the notice, shows an attachment
    to villagers or keeps it off. The choice is sealed with the notice."""
    from .services import audit

    notice = attachment.notice
    problem = visibility_problem(notice, user)
    if problem:
        raise ServiceError(problem)
    before = {"is_public": attachment.is_public}
    attachment.is_public = bool(is_public)
    audit.record(user, "attachment.visibility", "attachment", attachment.id, township_id=notice.village.township_id,
                 before=before, after={"is_public": attachment.is_public})


def visibility_problem(notice, user) -> str | None:  # noqa: ANN001 - Notice, User
    """Why ``user`` may not mark the notice's attachments public or not now
    (in Chinese), or None: only a supervisor of the village, reviewing a
    notice someone else drafted."""
    from .models import Status
    from .services import access

    if not access.can_review(user, notice.village):
        return "只有本村村务监督委员会成员可以设置附件是否公开"
    if notice.author_id == user.id:
        return "不能审核自己起草的公示的附件"
    if notice.status != Status.SUBMITTED:
        return "只能在审核公示时设置附件是否公开；审核通过后不能再改"
    return None


def remove(attachment, user) -> None:  # noqa: ANN001
    """Take an attachment off a draft (the file stays: another version may share it)."""
    from .services import audit, notices

    notice = attachment.notice
    notices.ensure_editable(notice, user)
    audit.record(user, "attachment.delete", "attachment", attachment.id, township_id=notice.village.township_id,
                 before={"notice_id": notice.id, "title": attachment.title, "sha256": attachment.sha256})
    notice.attachments.remove(attachment)


def copies(notice) -> list:  # noqa: ANN001 - Notice → list[NoticeAttachment]
    """The attachments of a version for its correction: same files, same order and flags."""
    from .models import NoticeAttachment

    return [NoticeAttachment(seq=a.seq, title=a.title, filename=a.filename, kind=a.kind, sha256=a.sha256,
                             byte_size=a.byte_size, page_count=a.page_count, page_digests=a.page_digests, is_public=a.is_public,
                             uploaded_by_id=a.uploaded_by_id)
            for a in notice.attachments]


def file_problems(notice) -> list[str]:  # noqa: ANN001
    """An attachment whose stored file, or one of its page pictures, no
    longer hashes to what was sealed."""
    messages = []
    for attachment in notice.attachments:
        data = open_file(original_name(attachment.sha256, attachment.kind))
        if data is None:
            messages.append(f"附件文件丢失（{attachment.title}）")
        elif hashlib.sha256(data).hexdigest() != attachment.sha256:
            messages.append(f"附件文件被替换（{attachment.title}）")
        for number, digest in enumerate(attachment.page_digests.split(), start=1):
            page = open_file(page_name(attachment.sha256, attachment.kind, number))
            if page is None:
                messages.append(f"附件页面图片丢失（{attachment.title} 第{number}页）")
            elif hashlib.sha256(page).hexdigest() != digest:
                messages.append(f"附件页面图片被替换（{attachment.title} 第{number}页）")
    return messages
