"""Printed papers (公示栏, 明白卡, sticker sheets): layout and rendering only.

What a paper says is built by the read side (``disclosure.public.documents``);
here the print templates under ``templates/print/`` lay it out (paper size,
orientation from the tables' widths) and WeasyPrint turns the HTML into a PDF.
HTML first (Indico's ``create_pdf``): the HTML is testable on its own.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import re
import tempfile
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
STATIC_DIR = ROOT / "static"
TEMPLATE_DIR = ROOT / "templates" / "print"

if TYPE_CHECKING:  # the read side's types; printing itself never loads the models
    from .public.documents import NoticeDocument
    from .public.tables import Table

# WeasyPrint logs every layout step at INFO; the board's log needs only its warnings.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

#: Paper sizes the board prints: A4 for the office, A3 for the wall board, A5 for 明白卡.
SIZES = ("a4", "a3")
#: Usable line width in em of body text (page width minus margins, at the size's font).
_LINE_EM = {
    ("a4", "portrait"): 180 / (10.5 * 0.3528),
    ("a4", "landscape"): 267 / (10.5 * 0.3528),
    ("a3", "portrait"): 267 / (14 * 0.3528),
    ("a3", "landscape"): 390 / (14 * 0.3528),
}
#: More columns than this never fit a portrait page legibly.
MAX_PORTRAIT_COLUMNS = 7
#: A wrapping column (摘要, 名称) counts at most this wide when estimating.
_WRAP_EM = 12.0
_CELL_PADDING_EM = 1.0


# Width estimate and orientation ------------------------------------------------

def text_width_em(text: str) -> float:
    """Rough printed width: CJK and full-width characters one em, others about half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def table_width_em(table: Table) -> float:
    total = 0.0
    for index, column in enumerate(table.columns):
        cells = [column.label] + [row[index] for row in table.rows if index < len(row)]
        if table.totals and index < len(table.totals):
            cells.append(table.totals[index])
        widest = max(text_width_em(c) for c in cells)
        total += (min(widest, _WRAP_EM) if column.wrap else widest) + _CELL_PADDING_EM
    return total


def orientation_for(tables: tuple[Table, ...] | list[Table], size: str = "a4") -> str:
    """Landscape when a table has too many columns or is wider than a portrait line."""
    for table in tables:
        if len(table.columns) > MAX_PORTRAIT_COLUMNS or table_width_em(table) > _LINE_EM[(size, "portrait")]:
            return "landscape"
    return "portrait"


# Page layout -------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    """How a notice document is laid out on paper."""
    size: str  # a4 | a3
    orientation: str  # portrait | landscape

    @property
    def css(self) -> str:
        return f"print/page-{self.size}-{self.orientation}.css"


def page_for(doc: NoticeDocument, size: str = "a4") -> Page:
    if size not in SIZES:
        raise ValueError(f"unknown paper size: {size}")
    return Page(size, orientation_for(doc.tables, size))


def notice_html(doc: NoticeDocument, size: str = "a4") -> str:
    """The print HTML of a notice document on ``size`` paper (needs an app or request context)."""
    from flask import render_template

    return render_template("print/notice.html", doc=doc, page=page_for(doc, size))


# Rendering --------------------------------------------------------------------

def _fetcher():
    """Resolve ``/static/...`` to files under static/ and ``data:`` URIs;
    refuse everything else, so a PDF never fetches from the network."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFetcher(URLFetcher):
        def fetch(self, url, headers=None):  # noqa: ANN001, ANN201
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = unquote(urlsplit(url).path)
            if path.startswith("/static/"):
                root = STATIC_DIR.resolve()
                target = (root / path[len("/static/"):]).resolve()
                if root in target.parents and target.is_file():
                    mime, _ = mimetypes.guess_type(target.name)
                    return URLFetcherResponse(url, target.read_bytes(),
                                              {"Content-Type": mime or "application/octet-stream"})
            raise ValueError(f"printing fetches only local static files, not {url}")

    return StaticFetcher()


#: The print templates' stylesheet links: ``<link rel="stylesheet" href="/static/...">``.
_STYLESHEET_LINK = re.compile(r'<link rel="stylesheet" href="/static/([^"?#]+)">')
#: What a stylesheet parsed apart from its document cannot carry: rules WeasyPrint
#: keeps in the document's own tables, and url()s (they resolve against the document).
_NOT_REUSABLE = ("@font-face", "@counter-style", "@color-profile", "@import", "@layer", "url(")
#: WeasyPrint's font configuration and the print stylesheets parsed so far, kept
#: for the next document of a rendering process (render_pdf's ``reuse``); one thread
#: at a time uses them (Pango's font map is not thread-safe).
_reused = SimpleNamespace(font_config=None, sheets={})
_reuse_lock = threading.Lock()


def forget_reused() -> None:
    """Drop the kept font configuration and stylesheets: the next render loads
    them again, as a fresh renderer process does (the bench's cold figure)."""
    with _reuse_lock:
        _reused.font_config = None
        _reused.sheets = {}


def _font_config():  # noqa: ANN202 - weasyprint.text.fonts.FontConfiguration
    """The kept font configuration: Fontconfig and Pango load the fonts once,
    not once per document (call with _reuse_lock held)."""
    if _reused.font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _reused.font_config = FontConfiguration()
    return _reused.font_config


def _parsed_stylesheet(name: str):  # noqa: ANN202 - weasyprint.CSS or None
    """static/``name`` parsed once (again when the file changes); None when it is
    not a plain local stylesheet that can be parsed apart (call with _reuse_lock held)."""
    from weasyprint import CSS

    root = STATIC_DIR.resolve()
    target = (root / unquote(name)).resolve()
    if root not in target.parents or not target.is_file():
        return None
    font_config = _font_config()
    key = (str(target), target.stat().st_mtime_ns)
    if key not in _reused.sheets:
        text = target.read_text(encoding="utf-8")
        _reused.sheets[key] = None if any(part in text for part in _NOT_REUSABLE) else \
            CSS(string=text, base_url=target.as_uri(), url_fetcher=_fetcher(), font_config=font_config)
    return _reused.sheets[key]


def _split_stylesheets(html: str) -> tuple[str, list]:
    """(HTML without its stylesheet links, those stylesheets parsed) when every
    stylesheet of the document is a local file that can be reused; else (html, [])
    and WeasyPrint reads the links itself. All or nothing: WeasyPrint cascades
    given stylesheets (origin "user") below the document's own, so a mix would
    change their order; alone, they keep it."""
    names = _STYLESHEET_LINK.findall(html)
    if not names or "<style" in html or html.count("<link") != len(names):
        return html, []
    sheets = [_parsed_stylesheet(name) for name in names]
    if any(sheet is None for sheet in sheets):
        return html, []
    return _STYLESHEET_LINK.sub("", html), sheets


def render_pdf(html: str, base_url: str, *, reuse: bool = False) -> bytes:
    """Print HTML → PDF bytes. Assets are linked as ``/static/...`` (as in the
    HTML preview) and read from disk; ``base_url`` resolves relative links.

    ``reuse`` (processes that only render: the renderer, the batch's workers):
    load the fonts and parse the print stylesheets once and keep them for the
    process's next PDF (≈ 40 MB kept; a web worker does not want that). The PDF
    is byte for byte the one a fresh WeasyPrint makes of the same HTML. While
    another thread renders with the kept ones, this one renders fresh."""
    from weasyprint import HTML

    if not reuse or not _reuse_lock.acquire(blocking=False):
        return HTML(string=html, base_url=base_url, url_fetcher=_fetcher()).write_pdf()
    try:
        document, sheets = _split_stylesheets(html)
        return HTML(string=document, base_url=base_url, url_fetcher=_fetcher()).write_pdf(
            stylesheets=sheets, font_config=_font_config())
    finally:
        _reuse_lock.release()


def page_images(pdf: bytes, cache_dir: str | os.PathLike, *, dpi: int = 110) -> list[Path]:
    """PNG images of a PDF's pages (for the kiosk, whose browser must never
    open a PDF viewer), made once per PDF with poppler's ``pdftoppm`` and kept
    in ``cache_dir``; the folder is moved into place whole."""
    import shutil
    import subprocess  # nosec B404 - one fixed program on our own PDF, no shell

    folder = Path(cache_dir) / f"{hashlib.sha256(pdf).hexdigest()[:32]}-{dpi}"
    pdftoppm = shutil.which("pdftoppm")
    if not folder.is_dir() and pdftoppm is None:  # poppler-utils missing: the QR code still works
        logging.getLogger(__name__).warning("pdftoppm not found: no page images for the kiosk")
        return []
    if not folder.is_dir():
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=cache_dir, suffix=".part"))
        try:
            (work / "in.pdf").write_bytes(pdf)
            subprocess.run([pdftoppm, "-r", str(dpi), "-png", str(work / "in.pdf"), str(work / "page")],  # nosec B603
                           check=True, capture_output=True, timeout=120)
            (work / "in.pdf").unlink()
            try:
                os.replace(work, folder)
            except OSError:  # another worker was faster
                pass
        finally:
            shutil.rmtree(work, ignore_errors=True)
    # pdftoppm pads the number to the page count's width: page-1.png or page-01.png.
    return sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[1]))


def render_many(htmls: list[str], base_url: str, processes: int = 2):
    """Yield PDF bytes for each HTML, in order, rendered by ``processes``
    worker processes (spawned: safe from threads holding database connections,
    and WeasyPrint never enters the calling web worker; they end with the batch)."""
    import multiprocessing

    if not htmls:
        return
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(max(1, min(processes, len(htmls)))) as pool:
        yield from pool.imap(_render_one, [(html, base_url) for html in htmls])


def _render_one(args: tuple[str, str]) -> bytes:
    return render_pdf(*args, reuse=True)


__all__ = ["SIZES", "Page", "notice_html", "orientation_for", "page_for", "page_images", "render_many", "render_pdf",
           "table_width_em", "text_width_em"]
