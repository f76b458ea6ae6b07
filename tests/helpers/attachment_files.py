"""Sample attachment files for tests: real PDFs (made with Pillow and pypdf)
with or without what the board refuses, and images with metadata."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject


def pdf_bytes(pages: int = 2, colour: tuple[int, int, int] = (255, 255, 255)) -> bytes:
    """A scanned-looking PDF of ``pages`` A4-shaped pages, each with a bar to see."""
    images = []
    for number in range(pages):
        image = Image.new("RGB", (595, 842), colour)
        ImageDraw.Draw(image).rectangle((60, 80 + 40 * number, 535, 140 + 40 * number), fill=(20, 60, 160))
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=72)
    return out.getvalue()


def _blank(change=lambda writer: None, size: tuple[int, int] = (595, 842)) -> bytes:  # noqa: ANN001
    """A one-page PDF made by pypdf, ``change`` applied to the writer first."""
    writer = PdfWriter()
    writer.add_blank_page(*size)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _with_catalogue(key: str, value: object) -> bytes:
    # building a hostile file on purpose
    return _blank(lambda writer: writer._root_object.__setitem__(NameObject(key), value))  # noqa: SLF001


def javascript_pdf() -> bytes:
    """A document-level script (/Names /JavaScript), as a phishing PDF has."""
    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert('hi')")})
    names = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"), action])})
    return _with_catalogue("/Names", DictionaryObject({NameObject("/JavaScript"): names}))


def open_action_pdf() -> bytes:
    return _with_catalogue("/OpenAction", DictionaryObject({NameObject("/S"): NameObject("/Launch"),
                                                            NameObject("/F"): TextStringObject("cmd.exe")}))


def embedded_file_pdf() -> bytes:
    return _blank(lambda writer: writer.add_attachment("payload.exe", b"MZ not really"))


def huge_page_pdf() -> bytes:
    """One page 5 m square: at the kiosk's resolution a picture of several GB."""
    return _blank(size=(14_000, 14_000))


def encrypted_pdf() -> bytes:
    return _blank(lambda writer: writer.encrypt("secret"))


def png_with_metadata(size: tuple[int, int] = (300, 200)) -> bytes:
    """A PNG carrying a text chunk and EXIF with a GPS position, as a phone makes."""
    from PIL import PngImagePlugin

    image = Image.new("RGB", size, (240, 240, 230))
    ImageDraw.Draw(image).line((0, 0, size[0], size[1]), fill=(0, 0, 0), width=5)
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "张三 13812345678")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (26.0, 34.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=exif)
    return out.getvalue()
