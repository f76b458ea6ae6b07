"""Voucher photos (凭证照片): accept a JPEG or PNG, re-encode it without any
metadata (EXIF, GPS, ICC, comments), bound its size, and keep it and a
thumbnail, made once, in the file store (disclosure/storage.py) as
``vouchers/<sha256>.jpg`` and ``vouchers/<sha256>.thumb.jpg``. Notice
attachments (disclosure/attachments.py) clean their images here too.

:func:`process_image` and :func:`voucher_name` are pure (no database, no
request); :func:`attach` and :func:`set_public` are the database side and,
like every service, leave the commit to the caller.
"""

from __future__ import annotations

import hashlib
import io
import re
from PIL import Image, ImageOps, UnidentifiedImageError

from . import storage
from .services import ServiceError

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 2000
THUMB_SIDE = 320
#: Refuse decompression bombs long before Pillow's own (warning-only) limit.
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = ("JPEG", "PNG")
JPEG_QUALITY = 85
_SHA = re.compile(r"[0-9a-f]{64}")


def process_image(data: bytes, max_bytes: int = MAX_BYTES) -> tuple[bytes, bytes, int, int, str]:
    """(jpeg, thumbnail jpeg, width, height, sha256 of the jpeg) or ServiceError.

    The format is read from the file's content (magic bytes), never from its
    name. The output is a fresh image: only the pixels are copied, so no
    EXIF, GPS position, camera serial or embedded comment survives."""
    if not data:
        raise ServiceError("请选择要上传的照片", "file")
    if len(data) > max_bytes:
        raise ServiceError(f"照片不能超过{max_bytes // (1024 * 1024)}MB", "file")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ServiceError("无法识别的文件：只接受 JPEG 或 PNG 照片", "file") from None
    if fmt not in ACCEPTED_FORMATS:
        raise ServiceError("只接受 JPEG 或 PNG 照片", "file")
    if width * height > MAX_PIXELS:
        raise ServiceError("照片像素过大，请缩小后再上传", "file")
    try:
        with Image.open(io.BytesIO(data)) as source:
            source.load()
            image = ImageOps.exif_transpose(source)  # keep the photo upright once EXIF is gone
            pixels = _rgb(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ServiceError("照片文件已损坏，无法读取", "file") from None

    pixels.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    clean = Image.new("RGB", pixels.size)  # a new image carries no info dict
    clean.paste(pixels)
    jpeg = encode_jpeg(clean)
    thumb_image = clean.copy()
    thumb_image.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    thumb = encode_jpeg(thumb_image)
    return jpeg, thumb, clean.width, clean.height, hashlib.sha256(jpeg).hexdigest()


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def encode_jpeg(image: Image.Image) -> bytes:
    """Pixels only, as a progressive JPEG (no EXIF, ICC or comment is written)."""
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def voucher_name(sha256: str, thumb: bool = False) -> str:
    """A voucher file's name in the store. Raises ValueError for anything that
    is not a sha256 hex digest, so a caller cannot be walked out of its area."""
    if not _SHA.fullmatch(sha256 or ""):
        raise ValueError("not a voucher id")
    return f"vouchers/{sha256}{'.thumb' if thumb else ''}.jpg"


def store(jpeg: bytes, thumb: bytes, sha256: str) -> None:
    """Keep both files unless they are already there (same content, same name)."""
    for name, content in ((voucher_name(sha256), jpeg), (voucher_name(sha256, True), thumb)):
        if not storage.exists(name):
            storage.put(name, content)


def photo(sha256: str, thumb: bool = False) -> bytes | None:
    """A voucher's JPEG (or thumbnail) bytes; None if the file is missing."""
    return storage.get(voucher_name(sha256, thumb))


# Database side -------------------------------------------------------------

def attach(line, user, data: bytes):  # noqa: ANN001 - LedgerLine, User → VoucherImage
    """Add a photo to a ledger line of a draft the user may edit; it is not
    public until a supervisor makes it so."""
    from .extensions import db
    from .models import VoucherImage
    from .services import audit, notices

    notices.ensure_editable(line.notice, user)
    jpeg, thumb, width, height, sha = process_image(data)
    store(jpeg, thumb, sha)
    # A receipt may show a name, an account or a signature: it starts private,
    # and a supervisor of the village decides to show it (set_public).
    voucher = VoucherImage(line_id=line.id, sha256=sha, width=width, height=height, is_public=False,
                           uploaded_by_id=user.id)
    db.session.add(voucher)
    db.session.flush()
    audit.record(user, "voucher.add", "voucher", voucher.id, township_id=line.notice.village.township_id,
                 after={"line_id": line.id, "sha256": sha, "width": width, "height": height})
    return voucher


def set_public(voucher, user, is_public: bool) -> None:  # noqa: ANN001
    """A supervisor of the village keeps a photo on or off the public side."""
    from .services import access, audit

    village = voucher.line.notice.village
    if not access.can_review(user, village):
        raise ServiceError("只有本村村务监督委员会成员可以设置照片是否公开")
    before = {"is_public": voucher.is_public}
    voucher.is_public = bool(is_public)
    audit.record(user, "voucher.visibility", "voucher", voucher.id, township_id=village.township_id,
                 before=before, after={"is_public": voucher.is_public})


def remove(voucher, user) -> None:  # noqa: ANN001
    """Take a photo off a draft's line (the file stays: another line may share it)."""
    from .extensions import db
    from .services import audit, notices

    notices.ensure_editable(voucher.line.notice, user)
    audit.record(user, "voucher.delete", "voucher", voucher.id, township_id=voucher.line.notice.village.township_id,
                 before={"line_id": voucher.line_id, "sha256": voucher.sha256})
    db.session.delete(voucher)
