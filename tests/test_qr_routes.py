"""QR image routes through the test client, decoded with zxing-cpp."""

import pytest

from share import services
from tests.conftest import PUBLIC
from tests.qrdecode import decode_png, decode_svg


@pytest.fixture
def code(api):
    return api.make_link("https://news.example.com/2026/11/长文章?id=42")["code"]


def test_png_encodes_the_short_url_with_src_qr(client, code):
    response = client.get(f"/qr/{code}.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert decode_png(response.data) == [f"{PUBLIC}/s/{code}?src=qr"]


@pytest.mark.parametrize("src", ["print", "card", "widget"])
def test_svg_and_src_placement(client, code, src):
    response = client.get(f"/qr/{code}.svg?src={src}&size=512&ec=H")
    assert response.mimetype == "image/svg+xml"
    assert decode_svg(response.data) == [f"{PUBLIC}/s/{code}?src={src}"]


def test_strong_etag_long_cache_and_304(client, code):
    first = client.get(f"/qr/{code}.png?size=400")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert "max-age=31536000" in first.headers["Cache-Control"]
    again = client.get(f"/qr/{code}.png?size=400", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    other = client.get(f"/qr/{code}.png?size=401", headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_rendered_images_are_cached_in_bounded_memory(app, client, code):
    from share.qr.cache import ByteLRU

    cache = services.of(app).qr_cache = ByteLRU(5000)
    bodies = [client.get(f"/qr/{code}.png?size={size}").data for size in range(100, 140)]
    assert 0 < len(cache) < 40
    assert cache.size <= 5000
    newest = bodies[-1]
    assert client.get(f"/qr/{code}.png?size=139").data == newest


@pytest.mark.parametrize(
    "query, param",
    [
        ("size=10", "size"),
        ("size=big", "size"),
        ("margin=99", "margin"),
        ("ec=Z", "ec"),
        ("fg=zzzzzz", "fg"),
        ("fg=eeeeee&bg=ffffff", "fg"),
        ("src=%3Cx%3E", "src"),
        ("size=2049", "size"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client, code, query, param):
    response = client.get(f"/qr/{code}.png?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == f"invalid_{param}"
    assert param in error["message"]


def test_unknown_code_is_404(client):
    assert client.get("/qr/zzzzzzz.png").status_code == 404
    assert client.get("/qr/zzzzzzz.gif").status_code == 404


def test_untracked_qr_of_a_page_url_records_nothing(api, client):
    url = "https://elsewhere.org/story?x=1"
    response = client.get(f"/qr.png?url={url}&size=300")
    assert response.status_code == 200
    assert decode_png(response.data) == [url]
    assert api.get("/links").get_json()["links"] == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", "", "file:///etc/passwd", "/x"])
def test_untracked_qr_refuses_non_http_urls(client, url):
    response = client.get(f"/qr.png?url={url}")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_url"


def test_untracked_qr_is_rate_limited(app, client):
    app.config["SHARE_RATE_LIMIT"] = "2 per minute"
    statuses = [client.get("/qr.png?url=https://example.com/").status_code for _ in range(4)]
    assert statuses == [200, 200, 429, 429]


@pytest.mark.parametrize("ec, length", [("H", 1300), ("Q", 1700), ("L", 2040)])
def test_url_too_long_for_the_level_is_400_not_500(client, ec, length):
    url = "https://a.com/" + "x" * (length - 14)
    response = client.get(f"/qr.png?url={url}&ec={ec}")
    if ec == "L":  # 2,040 characters still fit at L
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_url"
    assert "ec" in response.get_json()["error"]["message"]
