"""disclosure.qr: the SVG decodes back to the URL it was made from."""

from __future__ import annotations

import base64
import re

import pytest
from PIL import Image, ImageDraw

from disclosure.qr import qr_data_uri, qr_svg

RECT = re.compile(r"M(\d+),(\d+)H(\d+)V(\d+)H(\d+)z")


def raster(svg: str, scale: int = 8) -> Image.Image:
    """Draw the QR path (unit squares) onto a white image."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    path = re.search(r'<path d="([^"]*)"', svg).group(1)
    for x1, y1, x2, y2, _ in RECT.findall(path):
        draw.rectangle([int(x1) * scale, int(y1) * scale, int(x2) * scale - 1, int(y2) * scale - 1], fill=0)
    return image


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/m/notice/12", "https://cunwu.example.cn/m/notice/98765?x=1"])
def test_qr_svg_decodes_to_url(url):
    zxingcpp = pytest.importorskip("zxingcpp")
    svg = qr_svg(url)
    assert svg.startswith("<svg ") and "<?xml" not in svg and " id=" not in svg and "style" not in svg
    assert '<rect width=' in svg  # white quiet zone, readable on coloured backgrounds
    found = zxingcpp.read_barcodes(raster(svg))
    assert [r.text for r in found] == [url]
    assert found[0].ec_level == "M"


def test_qr_data_uri_is_the_same_code():
    zxingcpp = pytest.importorskip("zxingcpp")
    url = "http://127.0.0.1:8000/m/notice/7"
    uri = qr_data_uri(url)
    assert uri.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    assert [r.text for r in zxingcpp.read_barcodes(raster(svg))] == [url]


def test_border_is_two_modules():
    svg = qr_svg("x")
    xs = [int(x) for x, *_ in RECT.findall(re.search(r'<path d="([^"]*)"', svg).group(1))]
    assert min(xs) == 2


@pytest.mark.parametrize("url", ["x", "http://127.0.0.1:8000/v/DFR62KAYAY",
                                 "https://cunwu.example.cn/m/notice/98765?x=1"])
def test_runs_cover_exactly_the_modules_qrcode_draws(url):
    """The path draws one rectangle per run of dark modules: the same dark
    squares, one row high each, as qrcode's own SVG (square by square)."""
    import io

    import qrcode
    from qrcode.image.svg import SvgPathImage

    buf = io.BytesIO()
    qrcode.make(url, image_factory=SvgPathImage, border=2,
                error_correction=qrcode.constants.ERROR_CORRECT_M).save(buf)
    theirs = buf.getvalue().decode()

    def squares(svg: str) -> set[tuple[int, int]]:
        found = set()
        for x1, y1, x2, y2, x3 in RECT.findall(re.search(r'<path d="([^"]*)"', svg).group(1)):
            assert int(y2) == int(y1) + 1 and int(x3) == int(x1) < int(x2)
            found |= {(x, int(y1)) for x in range(int(x1), int(x2))}
        return found

    ours = qr_svg(url)
    assert re.search(r'viewBox="0 0 (\d+)', ours).group(1) == re.search(r'viewBox="0 0 (\d+)', theirs).group(1)
    assert squares(ours) == squares(theirs)
    assert len(RECT.findall(ours)) < len(RECT.findall(theirs)) * 0.6
