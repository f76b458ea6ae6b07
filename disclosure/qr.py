"""QR codes as SVG: inline markup for web pages and a data: URI for PDFs.

Error correction M, a border of two modules, black on an explicit white
square (so the code stays readable on the kiosk's eye-care background).
Pure: no request, no database.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from html import escape

import qrcode


@lru_cache(maxsize=512)
def _modules(url: str) -> tuple[int, str]:
    """(size in modules including border, path data) for ``url``: one rectangle
    per horizontal run of dark modules (``M x,y H x2 V y+1 H x z``), the same
    squares qrcode's SvgPathImage draws one by one, in about half the commands
    (WeasyPrint parses SVG paths in Python: a notice PDF rendered ~13 ms faster)."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            runs.append(f"M{start},{y}H{x}V{y + 1}H{start}z")
    return len(matrix), "".join(runs)


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
