"""Dashboard access rules: login everywhere, CSRF on every post, safe ``next``, headers."""

import re
from pathlib import Path

import pytest

from share import services
from share.web.admin import PUBLIC
from share.web.admin.i18n import safe_next
from tests.adminhelp import AdminClient


def _admin_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin") and rule.endpoint not in PUBLIC:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def _path(rule, code):
    return re.sub(
        r"<(?:[^:>]+:)?([^>]+)>", lambda m: {"code": code}.get(m[1], "refresh"), rule.rule
    )


def test_the_dashboard_has_routes_to_protect(app):
    assert len(list(_admin_rules(app))) >= 15


def test_every_admin_route_requires_login(app, api):
    """Built from app.url_map: a new /admin route is covered the moment it exists."""
    code = api.make_link()["code"]
    visitor = AdminClient(app, create=False)
    token = visitor.token()  # a valid CSRF token, so only the login guard can refuse
    checked = 0
    for rule, method in _admin_rules(app):
        path = _path(rule, code)
        response = visitor.client.open(path, method=method, data={"csrf_token": token})
        if path.endswith(".json"):
            assert response.status_code == 401, (method, path)
            assert response.get_json()["error"]["code"] == "login_required"
        else:
            assert response.status_code == 302, (method, path, response.status_code)
            assert response.headers["Location"].startswith("/admin/login?next=")
        checked += 1
    assert checked >= 15


def test_actions_are_not_done_without_login(app, api, engine):
    from share.links import service as links

    code = api.make_link()["code"]
    visitor = AdminClient(app, create=False)
    visitor.post(f"/admin/a/{code}/disable", {"confirmed": "1"})
    assert links.get(engine, code).disabled is False


def test_login_then_pages_answer(app, api):
    code = api.make_link()["code"]
    admin = AdminClient(app)
    assert admin.login().status_code == 302
    for path in ("/admin/", f"/admin/a/{code}", "/admin/keys", "/admin/links/new"):
        assert admin.get(path).status_code == 200, path


@pytest.mark.parametrize("path", ["/admin/login", "/admin/lang", "/admin/logout", "/admin/keys"])
def test_a_post_without_csrf_token_is_refused(app, path):
    admin = AdminClient(app)
    admin.login()
    data = {"username": "editor", "password": "correct horse battery", "lang": "zh", "name": "k"}
    response = admin.client.post(path, data=data)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_csrf_stays_on_in_tests(app):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True


def test_admin_pages_are_not_framable_and_have_a_strict_csp(app):
    response = AdminClient(app, create=False).get("/admin/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    html = response.get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html and "<style" not in html


def test_no_admin_template_has_inline_script_or_style():
    root = Path(__file__).resolve().parent.parent / "templates" / "admin"
    for template in root.glob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert "<style" not in text and " style=" not in text and "onclick" not in text


def test_session_cookie_is_httponly_and_lax(app):
    admin = AdminClient(app)
    response = admin.login()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_secure_behind_https(sqlite_url, tmp_path):
    from tests.conftest import make_app

    app = make_app(sqlite_url, tmp_path, PUBLIC_URL="https://s.example.com")
    try:
        admin = AdminClient(app)
        response = admin.login()
        assert "Secure" in response.headers["Set-Cookie"]
    finally:
        services.of(app).engine.dispose()


def test_logout_ends_the_session(app):
    admin = AdminClient(app)
    admin.login()
    assert admin.post("/admin/logout").status_code == 302
    assert admin.get("/admin/").status_code == 302


def test_a_password_reset_ends_every_session_opened_before_it(app, engine):
    from share.access import admins

    editor = AdminClient(app)
    editor.login()
    elsewhere = AdminClient(app, create=False)
    elsewhere.login()
    assert editor.get("/admin/").status_code == elsewhere.get("/admin/").status_code == 200
    admins.set_password(engine, "editor", "a brand new long secret")
    for client in (editor, elsewhere):  # both sessions were opened with the old password
        response = client.get("/admin/")
        assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
        assert client.get("/admin/overview.json").status_code == 401
    again = AdminClient(app, password="a brand new long secret", create=False)
    again.login()
    assert again.get("/admin/").status_code == 200


def test_a_session_cookie_without_its_key_is_not_a_login(app, engine):
    editor = AdminClient(app)
    editor.login()
    with editor.client.session_transaction() as session:
        session.pop("admin_key")
    assert editor.get("/admin/").status_code == 302


def test_unknown_user_and_wrong_password_look_the_same(app):
    known = AdminClient(app)
    unknown = AdminClient(app, username="nobody", create=False)
    a = known.login(password="wrong password!!")
    b = unknown.login(password="wrong password!!")
    assert a.status_code == b.status_code == 401
    strip = lambda r: re.sub(r'(value|content)="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(a).replace("editor", "") == strip(b).replace("nobody", "")


def test_unknown_user_costs_the_same_scrypt_work(app, engine):
    import time

    from share.access import admins

    admins.create(engine, "timed", "correct horse battery")
    admins.authenticate(engine, "ghost", "x")  # warm the dummy hash

    def timed(name):
        start = time.perf_counter()
        assert admins.authenticate(engine, name, "wrong password") is None
        return time.perf_counter() - start

    # Alternate the two, so a busy machine slows both alike; compare medians.
    pairs = [(timed("timed"), timed("ghost")) for _ in range(7)]
    known = sorted(k for k, _ in pairs)[3]
    ghost = sorted(g for _, g in pairs)[3]
    assert 0.5 < known / ghost < 2.0, (known, ghost)


def test_next_leads_to_the_local_path(app):
    admin = AdminClient(app)
    response = admin.login(next="/admin/keys?x=1")
    assert response.headers["Location"] == "/admin/keys?x=1"


def _payloads(corpora):
    folder = corpora / "ssrf-openredirect-payloadsallthethings" / "open-redirect"
    if not folder.is_dir():
        pytest.skip(f"open-redirect lists not found in {folder}")
    lines = set()
    for name in ("Open-Redirect-payloads.txt", "open_redirect_wordlist.txt", "openredirects.txt"):
        lines |= {ln.strip() for ln in (folder / name).read_text(errors="replace").splitlines()}
    return sorted(ln for ln in lines if ln)


def test_next_never_leaves_the_site_for_any_open_redirect_payload(app, corpora):
    """Every payload, raw and under /admin, ends on a same-site path (checked by the browser's rules)."""
    from urllib.parse import urljoin, urlsplit

    payloads = _payloads(corpora)
    assert len(payloads) > 200
    admin = AdminClient(app)
    token = admin.token()
    for payload in payloads:
        for candidate in (payload, "/admin" + payload, "/admin/" + payload):
            assert _is_local(safe_next(candidate, "/admin/"))
    # and through the real login, a sample of every shape
    for payload in payloads[::7]:
        response = admin.client.post(
            "/admin/login",
            data={
                "csrf_token": token,
                "username": "editor",
                "password": admin.password,
                "next": payload,
            },
        )
        location = response.headers["Location"]
        assert urlsplit(urljoin("http://share.test/admin/login", location)).netloc == "share.test"
        admin.client.post("/admin/logout", data={"csrf_token": admin.token()})
        token = admin.token()


def _is_local(target: str) -> bool:
    from urllib.parse import urljoin, urlsplit

    if "\\" in target or any(ord(c) < 0x21 for c in target):
        return False
    return urlsplit(urljoin("http://share.test/admin/x", target)).netloc == "share.test"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/admin",
        "/admin\t//x",
        "/\t/evil.example",
        "javascript:alert(1)",
        "/admin/../../x",
        "",
        None,
        "/s/abc",
    ],
)
def test_safe_next_refuses_odd_targets(target):
    result = safe_next(target, "/admin/")
    assert result.startswith("/admin") and _is_local(result)
