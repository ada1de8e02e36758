"""The dashboard's Brand page: upload, refuse with a message, remove; login and CSRF as elsewhere."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from share import services
from share.storage import brand as stored
from tests.adminhelp import AdminClient
from tests.test_imagesafety import png_bomb
from tests.test_qr_brand import RED, logo_png


@pytest.fixture
def admin(app):
    admin = AdminClient(app)
    admin.login()
    return admin


def upload(admin, data: bytes, name: str = "logo.png", **kw):
    """POST the file as a browser does (a multipart body built here, so no temp file is left open)."""
    boundary = "scanshare-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f'{admin.token()}\r\n--{boundary}\r\nContent-Disposition: form-data; name="logo"; '
            f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return admin.client.post(
        "/admin/brand/logo",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        **kw,
    )


def error_of(response) -> str:
    match = re.search(r'id="logo-error">([^<]+)<', response.get_data(as_text=True))
    return match.group(1) if match else ""


def test_brand_page_needs_a_login_and_is_in_the_nav(app):
    anonymous = AdminClient(app, create=False)
    assert anonymous.get("/admin/brand").status_code == 302
    assert anonymous.client.post("/admin/brand/logo").status_code in (302, 400)
    assert stored.version(services.of(app).engine) is None
    admin = AdminClient(app, username="other")
    admin.login()
    page = admin.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/brand"' in page
    assert 'id="no-logo"' in admin.get("/admin/brand").get_data(as_text=True)


def test_upload_is_stored_shown_and_used_then_removed(app, admin, api):
    response = upload(admin, logo_png(), follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Logo saved." in page and 'id="logo-preview"' in page and 'id="remove-logo"' in page
    engine = services.of(app).engine
    assert stored.version(engine) is not None
    code = api.make_link("https://news.example.com/brand")["code"]
    qr = app.test_client().get(f"/qr/{code}.png?logo=1")
    assert "X-QR-Fallback" not in qr.headers
    assert RED in {c for _, c in Image.open(io.BytesIO(qr.data)).convert("RGB").getcolors(1 << 20)}
    removed = admin.post("/admin/brand/logo/remove", follow_redirects=True)
    assert "Logo removed." in removed.get_data(as_text=True)
    assert stored.version(engine) is None
    assert app.test_client().get(f"/qr/{code}.png?logo=1").headers["X-QR-Fallback"] == "no-logo"


def _big_noise_png() -> bytes:
    pixels = (bytes(range(256)) * 6000)[: 700 * 700 * 3]  # incompressible enough, no randomness
    image = Image.frombytes("RGB", (700, 700), pixels)
    buf = io.BytesIO()
    image.save(buf, "PNG", compress_level=0)
    return buf.getvalue()


@pytest.mark.parametrize(
    "data, name, message",
    [
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "logo.svg",
            "SVG logos are not accepted",
        ),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>", "logo.png", "SVG"),
        (png_bomb(10_000, 10_000), "bomb.png", "cannot be read safely"),
        (b"GIF89a" + b"\0" * 100, "logo.gif", "not a PNG or JPEG"),
        (b"hello, not an image", "logo.png", "not a PNG or JPEG"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "broken.png", "cannot be read safely"),
        (b"", "empty.png", "The file is empty"),
    ],
)
def test_hostile_or_wrong_uploads_are_refused_with_a_message(app, admin, data, name, message):
    response = upload(admin, data, name)
    assert response.status_code == 400
    assert message in error_of(response)
    assert stored.version(services.of(app).engine) is None


def test_a_file_over_the_size_limit_is_refused_with_its_size(app, admin):
    data = _big_noise_png()
    assert 1024 * 1024 < len(data) < 2 * 1024 * 1024
    response = upload(admin, data)
    assert response.status_code == 400
    assert "a logo may be at most 1024 KB" in error_of(response)


def test_a_tiny_logo_is_refused(admin):
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), RED).save(buf, "PNG")
    assert "too small" in error_of(upload(admin, buf.getvalue()))


def test_messages_are_in_chinese_for_a_chinese_editor(admin):
    admin.post("/admin/lang", {"lang": "zh", "next": "/admin/brand"})
    response = upload(admin, b"<svg/>", "x.svg")
    assert "不接受 SVG 标志" in error_of(response)
    page = admin.get("/admin/brand").get_data(as_text=True)
    assert "二维码中的标志" in page and "上传标志" in page


def test_upload_without_the_csrf_token_is_refused(app, admin):
    response = admin.client.post(
        "/admin/brand/logo",
        data={"logo": (io.BytesIO(logo_png()), "logo.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert stored.version(services.of(app).engine) is None


def test_the_file_setting_shows_until_an_upload_beats_it(sqlite_url, tmp_path):
    from tests.conftest import close_app, make_app

    path = tmp_path / "site-logo.png"
    path.write_bytes(logo_png())
    app = make_app(sqlite_url, tmp_path, QR_LOGO=str(path))
    try:
        admin = AdminClient(app)
        admin.login()
        page = admin.get("/admin/brand").get_data(as_text=True)
        assert "From the SHARE_QR_LOGO file." in page and 'id="remove-logo"' not in page
        upload(admin, logo_png((30, 160, 60)))
        page = admin.get("/admin/brand").get_data(as_text=True)
        assert "Uploaded " in page and 'id="remove-logo"' in page
    finally:
        close_app(app)
