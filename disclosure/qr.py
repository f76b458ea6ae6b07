"""QR codes as SVG: inline markup for web pages and a data: URI for PDFs.

Error correction M, a border of two modules, black on an explicit white
square (so the code stays readable on the kiosk's eye-care background).
Pure: no request, no database.
"""

from __future__ import annotations

import base64
import io
import re
from functools import lru_cache
from html import escape

import qrcode
from qrcode.image.svg import SvgPathImage

_VIEWBOX = re.compile(r'viewBox="0 0 (\d+) (\d+)"')
_PATH = re.compile(r'<path d="([^"]*)"')


@lru_cache(maxsize=512)
def _modules(url: str) -> tuple[int, str]:
    """(size in modules including border, path data) for ``url``."""
    buf = io.BytesIO()
    qrcode.make(url, image_factory=SvgPathImage, border=2,
                error_correction=qrcode.constants.ERROR_CORRECT_M).save(buf)
    text = buf.getvalue().decode()
    size = int(_VIEWBOX.search(text).group(1))
    return size, _PATH.search(text).group(1)


def qr_svg(url: str, *, label: str = "二维码", css_class: str = "qr") -> str:
    """Self-contained ``<svg>`` markup (no XML declaration, no ids, no style
    attribute) that scales to its container; size it with CSS or width=."""
    size, path = _modules(url)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class)}" viewBox="0 0 {size} {size}" '
            f'role="img" aria-label="{escape(label)}" shape-rendering="crispEdges">'
            f'<rect width="{size}" height="{size}" fill="#ffffff"/>'
            f'<path d="{path}" fill="#000000"/></svg>')


def qr_data_uri(url: str) -> str:
    """``data:image/svg+xml;base64,…`` for an <img src> (WeasyPrint, e-mail)."""
    size, path = _modules(url)
    svg = (f'<?xml version="1.0" encoding="UTF-8"?><svg xmlns="http://www.w3.org/2000/svg" width="{size}mm" '
           f'height="{size}mm" viewBox="0 0 {size} {size}" shape-rendering="crispEdges">'
           f'<rect width="{size}" height="{size}" fill="#ffffff"/><path d="{path}" fill="#000000"/></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


__all__ = ["qr_data_uri", "qr_svg"]
