"""The /api/v1 links routes through the test client."""

import pytest

from tests.conftest import PUBLIC

LINK_FIELDS = {
    "code",
    "url",
    "short_url",
    "qr_png",
    "qr_svg",
    "card",
    "title",
    "description",
    "image",
    "site_name",
    "lang",
    "created_at",
    "disabled",
    "tags",
    "utm",
}


def test_create_link_answers_link_json_with_absolute_urls(api):
    response = api.post("/links", json={"url": "https://News.Example.com/a/1#x", "title": "标题"})
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == LINK_FIELDS
    code = body["code"]
    assert body["url"] == "https://news.example.com/a/1"
    assert body["short_url"] == f"{PUBLIC}/s/{code}"
    assert body["qr_png"] == f"{PUBLIC}/qr/{code}.png"
    assert body["qr_svg"] == f"{PUBLIC}/qr/{code}.svg"
    assert body["card"].startswith(f"{PUBLIC}/card/{code}.")
    assert body["title"] == "标题"
    assert body["created_at"].endswith("Z")
    assert body["disabled"] is False


def test_same_normalised_url_returns_existing_link_with_200(api):
    first = api.make_link("https://example.com/a?x=1")
    again = api.post("/links", json={"url": "HTTPS://EXAMPLE.com:443/a?x=1#f"})
    assert again.status_code == 200
    assert again.get_json()["code"] == first["code"]


def test_codes_are_random_unambiguous_and_not_sequential(api):
    codes = [api.make_link(f"https://example.com/{i}")["code"] for i in range(20)]
    assert len(set(codes)) == 20
    assert all(len(c) >= 7 and not set(c) & set("0O1lI") for c in codes)
    assert codes != sorted(codes)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,x",
        "file:///etc/passwd",
        "/relative",
        "example.com",
        "https://u:p@example.com/",
        "https://example.com/" + "a" * 2100,
        "",
        5,
        None,
    ],
)
def test_invalid_urls_get_400_invalid_url_with_a_sentence(api, url):
    response = api.post("/links", json={"url": url})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_url"
    assert error["message"].endswith(".")


@pytest.mark.parametrize(
    "body, code",
    [
        (b"not json", "invalid_json"),
        (b"[1, 2]", "invalid_json"),
        (b'{"url": "https://example.com/", "evil": 1}', "unknown_field"),
        (b'{"url": "https://example.com/", "title": 12}', "invalid_field"),
        (b'{"url": "https://example.com/", "image": "javascript:alert(1)"}', "invalid_field"),
    ],
)
def test_malformed_bodies_get_400_and_write_nothing(api, engine, body, code):
    response = api.post("/links", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == code
    listing = api.get("/links").get_json()
    assert listing["links"] == []


def test_oversized_body_gets_413_json(api):
    response = api.post(
        "/links", data=b"x" * (3 * 1024 * 1024), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer nope", "Basic abc", "Bearer abcdefgh.xxxxxxxxxxxxxxxxxxxxxxxxxx"],
)
@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/links"),
        ("post", "/api/v1/links"),
        ("get", "/api/v1/links/abcdefg"),
        ("patch", "/api/v1/links/abcdefg"),
        ("get", "/api/v1/links/abcdefg/stats"),
    ],
)
def test_every_keyed_route_refuses_missing_or_wrong_key(client, header, method, path):
    headers = {"Authorization": header} if header else {}
    response = getattr(client, method)(path, headers=headers, json={})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_key_is_refused(api, runner):
    prefix = api.key.split(".")[0]
    result = runner.invoke(args=["revoke-api-key", prefix])
    assert result.exit_code == 0, result.output
    assert api.get("/links").status_code == 401


def test_list_links_newest_first_with_cursor_paging(api):
    made = [api.make_link(f"https://example.com/p{i}")["code"] for i in range(5)]
    seen, cursor = [], None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = api.get("/links" + query).get_json()
        seen += [link["code"] for link in body["links"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(made))


@pytest.mark.parametrize(
    "query, code",
    [
        ("?limit=0", "invalid_limit"),
        ("?limit=101", "invalid_limit"),
        ("?limit=x", "invalid_limit"),
        ("?cursor=!!!", "invalid_cursor"),
        ("?cursor=YWJj", "invalid_cursor"),
    ],
)
def test_list_links_bad_paging_is_400(api, query, code):
    response = api.get("/links" + query)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == code


def test_get_and_patch_one_link(api):
    link = api.make_link()
    assert api.get(f"/links/{link['code']}").get_json()["url"] == link["url"]
    patched = api.patch(
        f"/links/{link['code']}",
        json={"title": "New  title", "image": "https://img.example.com/a.jpg", "disabled": True},
    ).get_json()
    assert patched["title"] == "New title"
    assert patched["image"] == "https://img.example.com/a.jpg"
    assert patched["disabled"] is True
    cleared = api.patch(f"/links/{link['code']}", json={"title": None}).get_json()
    assert cleared["title"] is None


@pytest.mark.parametrize(
    "body, code",
    [
        ({"url": "https://x.com/"}, "unknown_field"),
        ({"disabled": "yes"}, "invalid_field"),
        ({"title": "t" * 301}, "invalid_field"),
    ],
)
def test_patch_rejects_bad_fields_and_changes_nothing(api, body, code):
    link = api.make_link(title="Keep")
    response = api.patch(f"/links/{link['code']}", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == code
    assert api.get(f"/links/{link['code']}").get_json()["title"] == "Keep"


def test_unknown_code_is_404_json(api):
    response = api.get("/links/zzzzzzz")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


class TestShare:
    def test_allowed_host_registers_on_first_use(self, app, client):
        app.config["ALLOWED_HOSTS"] = ["*.example.com"]
        first = client.get("/api/v1/share?url=https://news.example.com/x")
        assert first.status_code == 200
        assert first.headers["Access-Control-Allow-Origin"] == "*"
        again = client.get("/api/v1/share?url=https://news.example.com/x")
        assert again.get_json()["code"] == first.get_json()["code"]

    def test_other_host_is_403_and_registers_nothing(self, app, client, api):
        app.config["ALLOWED_HOSTS"] = ["*.example.com"]
        response = client.get("/api/v1/share?url=https://example.com.evil.net/x")
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "host_not_allowed"
        assert api.get("/links").get_json()["links"] == []

    def test_existing_link_is_answered_even_for_other_hosts(self, client, api):
        link = api.make_link("https://elsewhere.org/story")
        response = client.get("/api/v1/share?url=https://elsewhere.org/story")
        assert response.get_json()["code"] == link["code"]

    def test_invalid_url_is_400(self, client):
        response = client.get("/api/v1/share?url=javascript:alert(1)")
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "invalid_url"

    def test_share_is_rate_limited(self, app, client):
        app.config["ALLOWED_HOSTS"] = ["example.com"]
        app.config["SHARE_RATE_LIMIT"] = "3 per minute"
        statuses = [
            client.get("/api/v1/share?url=https://example.com/").status_code for _ in range(5)
        ]
        assert statuses[:3] == [200, 200, 200]
        assert statuses[3:] == [429, 429]


def test_untrusted_host_header_never_becomes_the_public_url(app, sqlite_url, tmp_path):
    from tests.conftest import make_app

    bare = make_app(sqlite_url, tmp_path, PUBLIC_URL=None)
    bare.config["ALLOWED_HOSTS"] = ["example.com"]
    response = bare.test_client().get(
        "/api/v1/share?url=https://example.com/", headers={"Host": "evil.attacker.net"}
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "public_url_unknown"
    local = bare.test_client().get(
        "/api/v1/share?url=https://example.com/", headers={"Host": "127.0.0.1:5000"}
    )
    assert local.get_json()["short_url"].startswith("http://127.0.0.1:5000/s/")


def test_trusted_hosts_setting_rejects_other_hosts(sqlite_url, tmp_path):
    from tests.conftest import make_app

    app = make_app(sqlite_url, tmp_path, PUBLIC_URL=None, TRUSTED_HOSTS=["s.example.com"])
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "evil.net"}).status_code == 400
    ok = client.get("/api/v1/openapi.json", headers={"Host": "s.example.com"})
    assert ok.get_json()["servers"][0]["url"] == "http://s.example.com"


class TestStatsQuery:
    def test_tz_sets_the_zone_of_days_and_hour_labels(self, api, frozen):
        code = api.make_link()["code"]
        day = "&from=2026-12-01&to=2026-12-01&bucket=hour"
        local = api.get(f"/links/{code}/stats?tz=Asia/Shanghai{day}").get_json()
        assert local["tz"] == "Asia/Shanghai"
        assert len(local["series"]) == 24
        assert local["series"][0]["t"] == "2026-12-01T00:00:00+08:00"
        utc = api.get(f"/links/{code}/stats?{day[1:]}").get_json()
        assert utc["tz"] == "UTC"
        assert utc["series"][0]["t"] == "2026-12-01T00:00:00Z"

    @pytest.mark.parametrize("tz", ["Mars/Olympus", "../../etc/passwd", "x" * 300, "%00", "+08:00"])
    def test_unknown_zones_are_400_naming_tz(self, api, frozen, tz):
        code = api.make_link()["code"]
        response = api.get(f"/links/{code}/stats?tz={tz}")
        assert response.status_code == 400
        error = response.get_json()["error"]
        assert error["code"] == "invalid_tz"
        assert "`tz`" in error["message"]

    @pytest.mark.parametrize(
        "query, code",
        [
            ("from=2026-12-02&to=2026-12-01", "invalid_range"),
            ("from=2026-10-31&to=2026-12-01&bucket=hour", "range_too_large"),
            ("from=2026-02-30", "invalid_date"),
            ("bucket=minute", "invalid_bucket"),
        ],
    )
    def test_the_documented_range_rules_hold(self, api, frozen, query, code):
        link = api.make_link()["code"]
        response = api.get(f"/links/{link}/stats?{query}")
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == code

    def test_31_days_of_hours_is_the_most(self, api, frozen):
        link = api.make_link()["code"]
        response = api.get(f"/links/{link}/stats?from=2026-11-01&to=2026-12-01&bucket=hour&tz=UTC")
        assert response.status_code == 200
        assert len(response.get_json()["series"]) == 31 * 24
