"""API keys page, link creation (one, pasted list, chunked JSON), CLI commands, languages."""

import re
from pathlib import Path

from share.access import admins, apikeys
from share.links import service as links
from share.web.admin.strings import ZH
from tests.adminhelp import PASSWORD, AdminClient


def _logged_in(app):
    admin = AdminClient(app)
    admin.login()
    return admin


def test_api_key_is_shown_once_listed_and_revoked_after_confirmation(app, engine):
    admin = _logged_in(app)
    page = admin.post("/admin/keys", {"name": "newsroom CMS"}).get_data(as_text=True)
    key = re.search(r'<code id="new-key">([^<]+)</code>', page).group(1)
    assert apikeys.verify(engine, key) is not None
    listing = admin.get("/admin/keys").get_data(as_text=True)
    assert key not in listing and "newsroom CMS" in listing
    prefix = key.split(".")[0]
    keys = admin.get("/admin/keys.json").get_json()["keys"]
    assert keys[0]["prefix"] == prefix and "key_hash" not in keys[0]
    ask = admin.post(f"/admin/keys/{prefix}/revoke")
    assert 'name="confirmed"' in ask.get_data(as_text=True)
    assert apikeys.verify(engine, key) is not None
    done = admin.post(f"/admin/keys/{prefix}/revoke", {"confirmed": "1"}, follow_redirects=True)
    assert "Key revoked." in done.get_data(as_text=True)
    assert apikeys.verify(engine, key) is None
    empty = admin.post("/admin/keys", {"name": ""}, follow_redirects=True)
    assert "Give the key a name" in empty.get_data(as_text=True)


def test_create_one_link_from_the_dashboard(app, engine):
    admin = _logged_in(app)
    response = admin.post("/admin/links", {"url": "https://news.example.com/x?utm_source=a"})
    code = response.headers["Location"].rsplit("/", 1)[1]
    assert links.get(engine, code).url.startswith("https://news.example.com/x")
    again = admin.post(
        "/admin/links", {"url": "https://news.example.com/x?utm_source=a"}, follow_redirects=True
    )
    assert "already had a link" in again.get_data(as_text=True)
    bad = admin.post("/admin/links", {"url": "ftp://x"}, follow_redirects=True)
    assert "Refused" in bad.get_data(as_text=True)


def test_pasted_list_reports_created_existing_and_refused(app, engine):
    admin = _logged_in(app)
    links.create(engine, "https://news.example.com/old")
    text = "https://news.example.com/a\n\n# comment\nhttps://news.example.com/old\nnot a url\n"
    page = admin.post("/admin/links/import", {"urls": text}).get_data(as_text=True)
    assert "1 created, 1 already existed, 1 refused." in page
    chunk = admin.post(
        "/admin/links/import.json",
        {"urls": "https://news.example.com/b\nhttp://", "first_line": "41"},
    ).get_json()["results"]
    assert [(r["line"], r["status"]) for r in chunk] == [(41, "created"), (42, "refused")]
    assert chunk[1]["reason"]
    many = "\n".join(f"https://news.example.com/n/{i}" for i in range(1001))
    too_many = admin.post("/admin/links/import", {"urls": many}, follow_redirects=True)
    assert "at most 1000" in too_many.get_data(as_text=True)
    big_chunk = admin.post("/admin/links/import.json", {"urls": many[:3000]})
    assert big_chunk.status_code == 400


def test_cli_create_admin_with_password_stdin(app, runner, engine):
    result = runner.invoke(
        args=["create-admin", "chief", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert admins.authenticate(engine, "chief", PASSWORD)["username"] == "chief"
    again = runner.invoke(args=["create-admin", "CHIEF", "--password-stdin"], input=PASSWORD + "\n")
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(args=["create-admin", "x", "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "at least" in short.output
    reset = runner.invoke(
        args=["create-admin", "chief", "--reset", "--password-stdin"], input="another long secret\n"
    )
    assert reset.exit_code == 0
    assert admins.authenticate(engine, "chief", "another long secret") is not None


def test_cli_create_admin_prompts_twice(app, runner, engine):
    result = runner.invoke(args=["create-admin", "prompted"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert admins.authenticate(engine, "prompted", PASSWORD) is not None


def test_cli_import_reports_each_line(app, runner, engine, tmp_path):
    links.create(engine, "https://news.example.com/old")
    file = tmp_path / "urls.txt"
    file.write_text(
        "https://news.example.com/new\nhttps://news.example.com/old\njavascript:alert(1)\n"
    )
    result = runner.invoke(args=["import", str(file)])
    assert result.exit_code == 1  # something was refused
    assert "1 created, 1 already existed, 1 refused." in result.output
    assert re.search(r"refused\s+line 3: javascript:alert\(1\)\s+\S", result.output)
    assert links.find_by_url(engine, "https://news.example.com/new") is not None
    rerun = runner.invoke(args=["import", str(file)])
    assert "0 created, 2 already existed, 1 refused." in rerun.output


def test_language_follows_accept_language_then_the_switch(app):
    admin = AdminClient(app)
    zh = admin.get("/admin/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "登录" in zh.get_data(as_text=True) and 'lang="zh-CN"' in zh.get_data(as_text=True)
    en = admin.get("/admin/login", headers={"Accept-Language": "en-US"})
    assert ">Log in<" in en.get_data(as_text=True)
    switched = admin.post("/admin/lang", {"lang": "zh", "next": "/admin/login"})
    assert switched.headers["Location"] == "/admin/login"
    after = admin.get("/admin/login", headers={"Accept-Language": "en-US"})
    assert "登录" in after.get_data(as_text=True)
    admin.login()
    page = admin.get("/admin/", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    assert "总览" in page and "时间以 Asia/Shanghai 显示" in page


def test_every_dashboard_string_has_a_chinese_translation():
    root = Path(__file__).resolve().parent.parent
    sources = [*root.glob("templates/admin/*.html"), *root.glob("share/web/admin/*.py")]
    used = set()
    for path in sources:
        used |= set(re.findall(r"""\bt\(\s*"([^"]+)"|\bt\(\s*'([^']+)'""", path.read_text()))
    used = {a or b for a, b in used}
    from share.web.admin.article import ACTIONS

    used |= set(ACTIONS.values())
    missing = sorted(u for u in used if u not in ZH and not u.startswith("/"))
    assert missing == []
