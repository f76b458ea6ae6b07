"""Voucher photos: content-checked, re-encoded without metadata, bounded,
thumbnailed once; the village's supervisor decides what the public sees."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image

from disclosure import storage, vouchers
from disclosure.extensions import db
from disclosure.models import VoucherImage
from disclosure.services import ServiceError
from tests.conftest import login_as
from tests.helpers.admin_world import build_world, jpeg_bytes


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (3000, 1500), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "SecretCam 1.0"  # Software
    gps = {1: "N", 2: (26.0, 35.0, 12.5), 3: "E", 4: (106.0, 42.0, 7.25)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"taken at the clerk's house")
    return out.getvalue()


def test_reencode_strips_exif_gps_and_bounds_size() -> None:
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as probe:
        assert probe.getexif().get_ifd(0x8825)  # the test photo really carries a position
    jpeg, thumb, width, height, sha = vouchers.process_image(original)
    with Image.open(io.BytesIO(jpeg)) as clean:
        assert clean.format == "JPEG" and (clean.width, clean.height) == (width, height) == (2000, 1000)
        assert not clean.getexif() and "exif" not in clean.info and "comment" not in clean.info
    assert b"SecretCam" not in jpeg and b"PhoneMaker" not in jpeg and b"clerk's house" not in jpeg
    with Image.open(io.BytesIO(thumb)) as small:
        assert max(small.size) == 320
    assert len(sha) == 64


def test_png_with_alpha_becomes_jpeg() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 0, 0, 0)).save(out, format="PNG")
    jpeg, *_ = vouchers.process_image(out.getvalue())
    assert jpeg[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize("data, message", [
    (b"GIF89a" + b"\x00" * 100, "JPEG 或 PNG"),  # a real format we do not take
    (b"<html>not a photo</html>", "JPEG 或 PNG"),
    (b"", "请选择"),
    (b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024), "不能超过5MB"),
])
def test_refused_by_content_not_by_name(data: bytes, message: str) -> None:
    with pytest.raises(ServiceError) as err:
        vouchers.process_image(data)
    assert message in err.value.message


def test_gif_image_is_refused() -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    with pytest.raises(ServiceError):
        vouchers.process_image(out.getvalue())


def test_voucher_name_refuses_traversal(app: Flask) -> None:
    with app.app_context():
        assert vouchers.voucher_name("a" * 64, True) == "vouchers/" + "a" * 64 + ".thumb.jpg"
        with pytest.raises(ValueError):
            vouchers.voucher_name("../../secret_key")
        for name in ("vouchers/../secret_key", "vouchers/", "elsewhere/a.jpg", "vouchers/.hidden", "batch/a/b.pdf"):
            with pytest.raises(ValueError):
                storage.get(name)


def test_upload_toggle_and_scope(app: Flask, client, place) -> None:  # noqa: ANN001
    world = build_world(app, place)
    login_as(client, world["clerk1"])
    url = f"/admin/notices/{world['finance']}/ledger/{world['ledger_line']}/vouchers"
    r = client.post(url, data={"file": (io.BytesIO(b"MZ fake exe"), "photo.jpg")}, content_type="multipart/form-data")
    assert r.status_code == 302
    assert "只接受 JPEG 或 PNG" in client.get(r.location).text
    r = client.post(url, data={"file": (io.BytesIO(jpeg_with_gps()), "IMG_0001.JPG")}, content_type="multipart/form-data")
    assert r.status_code == 302
    with app.app_context():
        voucher = db.session.execute(db.select(VoucherImage).order_by(VoucherImage.id.desc())).scalars().first()
        vid, sha = voucher.id, voucher.sha256
        assert vouchers.photo(sha) and vouchers.photo(sha, True)
    image = client.get(f"/admin/vouchers/{vid}.jpg")
    assert image.status_code == 200 and image.mimetype == "image/jpeg" and b"SecretCam" not in image.data
    # a receipt starts private; only the village's supervisor decides whether the public sees it
    with app.app_context():
        assert not db.session.get(VoucherImage, vid).is_public
    client.post(f"/admin/vouchers/{vid}/visibility")
    with app.app_context():
        assert not db.session.get(VoucherImage, vid).is_public
    login_as(client, world["sup1"])
    assert client.post(f"/admin/vouchers/{vid}/visibility").status_code == 302
    with app.app_context():
        assert db.session.get(VoucherImage, vid).is_public
    login_as(client, world["sup2"])
    assert client.post(f"/admin/vouchers/{vid}/visibility").status_code == 404
    assert client.get(f"/admin/vouchers/{vid}.thumb.jpg").status_code == 404


@pytest.mark.parametrize("store", ["folder", "db"])
def test_same_photo_stored_once(app: Flask, place, store: str) -> None:  # noqa: ANN001
    app.config["FILE_STORE"] = store
    build_world(app, place)
    with app.app_context():
        first = vouchers.process_image(jpeg_bytes())
        second = vouchers.process_image(jpeg_bytes())
        assert first[4] == second[4]
        vouchers.store(first[0], first[1], first[4])
        db.session.commit()
        assert vouchers.photo(first[4]) == first[0] and vouchers.photo(first[4], True) == first[1]
        name = vouchers.voucher_name(first[4])
        storage.put(name, b"kept")  # a second store of the same photo does not write it again
        vouchers.store(second[0], second[1], second[4])
        assert storage.get(name) == b"kept"
        storage.delete(name)
        assert not storage.exists(name) and vouchers.photo(first[4]) is None
        db.session.commit()
    folder = Path(app.config["UPLOAD_DIR"]) / "vouchers"
    assert (folder.is_dir() and any(folder.iterdir())) == (store == "folder")


def test_photos_kept_on_disk_move_into_the_database(app: Flask, place) -> None:  # noqa: ANN001
    """A board that kept its photos in instance/ and moves to FILE_STORE=db loses none."""
    jpeg, thumb, *_rest, sha = vouchers.process_image(jpeg_bytes())
    app.config["FILE_STORE"] = "folder"
    with app.app_context():
        vouchers.store(jpeg, thumb, sha)
    app.config["FILE_STORE"] = "db"
    with app.app_context():
        assert vouchers.photo(sha) is None
    result = app.test_cli_runner().invoke(args=["files", "import-folder"])
    assert result.exit_code == 0 and "2 个文件" in result.output, result.output
    with app.app_context():
        assert vouchers.photo(sha) == jpeg and vouchers.photo(sha, True) == thumb
    assert "0 个文件" in app.test_cli_runner().invoke(args=["files", "import-folder"]).output
