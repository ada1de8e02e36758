"""Real article pages and charset cases from shared/corpora, read directly and over loopback.

Expected values come from the corpora's own JSON files. Where this product
deliberately differs from the upstream library that wrote them, the test says
so and checks the documented behaviour instead.
"""

import ipaddress
import json
import os
from pathlib import Path

import pytest
from httpservers import LoopbackServer, page

from share.fetch import FetchPolicy
from share.metadata import extract, fetch_article
from share.metadata.charset import decode, lookup, prescan

CORPORA = Path(os.environ.get("SHARE_CORPORA", Path(__file__).parents[1] / "../shared/corpora"))
META = CORPORA / "html-metadata"
CHARSET = CORPORA / "html-charset"
ALLOW = FetchPolicy(allow_networks=(ipaddress.ip_network("127.0.0.0/8"),), deadline=5.0)


def fold(text):
    return " ".join(text.split()) if text else text


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"corpus file {path} not found (set SHARE_CORPORA)")
    return path


# page, expectations file, URL when the JSON has none, expected fields
PAGES = {
    "goose3/content/test_bbc_chinese": lambda d: {
        "description": d["meta_description"],
        "lang": d["meta_lang"],
    },
    "goose3/content/test_cnn_arabic": lambda d: {"lang": d["meta_lang"]},
    "goose3/content/test_techcrunch1": lambda d: {"title": d["title"], "lang": d["meta_lang"]},
    "goose3/content/test_time": lambda d: {
        "title": d["title"],
        "description": d["meta_description"],
    },
    "goose3/images/test_opengraph_tag": lambda d: {"image": d["top_image"]["src"]},
    "goose3/opengraph/test_opengraph": lambda d: {
        "title": d["opengraph"]["title"],
        "description": d["opengraph"]["description"],
        "image": d["opengraph"]["image:secure_url"],
        "canonical_url": d["opengraph"]["url"],
    },
    "goose3/title/test_title_opengraph": lambda d: {"title": d["title"]},
    "newspaper4k/chinese_article_001": lambda d: {
        "title": d["title"],
        "description": d["meta_description"],
        "image": d["meta_img"],
        "canonical_url": d["canonical_link"],
        "lang": d["language"],
    },
    "newspaper4k/chinese_article_002": lambda d: {
        "title": d["title"],
        "description": d["meta_description"],
        "lang": d["language"],
    },
    "readability/qq": lambda d: {"description": d["excerpt"]},
    "readability/pixnet": lambda d: {
        "title": d["title"],
        "description": d["excerpt"],
        "site_name": d["siteName"],
        "lang": d["lang"].split("-")[0],
    },
}


def load(name):
    """(html bytes, article URL, upstream expectations dict) for a corpus page."""
    if name.startswith("goose3/"):
        data = json.loads(need(META / f"{name}.json").read_text(encoding="utf-8"))
        html = META / f"{name}.html"
        expected = data.get("expected", data)
        url = data.get("url") or expected["final_url"]
    elif name.startswith("newspaper4k/"):
        stem = name.split("/")[1]
        expected = json.loads(need(META / f"newspaper4k/metadata/{stem}.json").read_text("utf-8"))
        html, url = META / f"newspaper4k/html/{stem}.html", expected["url"]
    else:
        expected = json.loads(need(META / name / "expected-metadata.json").read_text("utf-8"))
        html, url = META / name / "source.html", f"https://example.org/{name.split('/')[1]}/"
    return need(html).read_bytes(), url, expected


@pytest.mark.parametrize("name", sorted(PAGES))
def test_corpus_page_metadata_from_bytes(name):
    content, url, expected = load(name)
    got = extract(content, url)
    for field, want in PAGES[name](expected).items():
        assert fold(getattr(got, field)) == fold(want), (name, field)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_corpus_page_metadata_served_over_loopback(name):
    """Served as bare 'text/html' (no charset): what requests would decode as ISO-8859-1."""
    content, url, expected = load(name)
    with LoopbackServer({"/article": page(content, content_type="text/html")}) as server:
        got = fetch_article(server.url("/article"), ALLOW)
    assert got.fetch_error is None
    for field, want in PAGES[name](expected).items():
        if field in ("title", "description", "lang") or want.startswith("http"):
            assert fold(getattr(got, field)) == fold(want), (name, field)


def test_qq_title_is_the_headline_without_site_suffix():
    """Readability keeps '<h1>_科技_腾讯网'; a card shows the site apart, so we keep the <h1>."""
    content, url, expected = load("readability/qq")
    title = extract(content, url).title
    assert title == "DeepMind新电脑已可利用记忆自学 人工智能迈上新台阶"
    assert expected["title"].startswith(title + "_")


def test_qq_page_declaring_gb2312_but_holding_utf8_decodes_as_utf8():
    content, _url, _expected = load("readability/qq")
    assert decode(content, None)[1] == "utf-8"


def test_page_without_og_image_falls_back_to_a_large_content_image():
    """newspaper4k's top_image comes from downloading every image; we only read the markup.

    Both answers are images of the page; ours must be a real picture, not the
    QR codes, spacers or tracking pixels that come first in its markup.
    """
    content, url, expected = load("newspaper4k/chinese_article_002")
    assert expected["meta_img"] == ""
    image = extract(content, url).image
    assert image in expected["images"]
    assert "/titlepic/" in image


def test_meta_charset_iso_8859_1_is_read_as_windows_1252():
    content, _url, expected = load("goose3/metas/test_meta_encoding")
    assert lookup(expected.get("meta_encoding") or "iso-8859-1") == "windows-1252"
    assert prescan(content) == "windows-1252"
    assert decode(content, "text/html")[1] == "windows-1252"


NO_CHARSET = {
    "gb18030_with_no_encoding_specified.html": ("gb18030", "中国制造的领军者3名", None),
    "Big5_with_no_encoding_specified.html": (
        "big5hkscs",
        "Big5",
        "台北看守所昨天抽查前總統陳水扁的房舍",
    ),
    "mozilla_bug171813_gb2312_fragment.html": ("gb18030", None, "搜狐在线"),
}


@pytest.mark.parametrize("name", sorted(NO_CHARSET))
def test_chinese_page_without_declared_charset(name):
    content = need(CHARSET / "no-declared-charset" / name).read_bytes()
    encoding, title, body = NO_CHARSET[name]
    text, detected = decode(content, "text/html")
    assert detected == encoding
    if body:
        assert body in text
    got = extract(content, "http://www.sina.com.cn/", "text/html")
    assert got.title == title
    with LoopbackServer({"/": page(content, content_type="text/html")}) as server:
        served = fetch_article(server.url("/"), ALLOW)
    assert served.title == title and served.lang == "zh"


def prescan_cases():
    folder = CHARSET / "html5lib-meta-prescan"
    if not folder.is_dir():
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=f"{folder} not found"))]
    cases = []
    for dat in sorted(folder.glob("*.dat")):
        for i, block in enumerate(dat.read_bytes().split(b"#data\n")[1:]):
            data, expected = block.split(b"\n#encoding\n")
            label = expected.strip().split(b"\n")[0].decode()
            cases.append(pytest.param(data, label, id=f"{dat.stem}-{i}"))
    return cases


@pytest.mark.parametrize(("data", "label"), prescan_cases())
def test_html5lib_meta_prescan(data, label):
    text, encoding = decode(data, None)
    if data.startswith(b"\xef\xbb\xbf"):
        assert encoding == lookup(label)
        return
    assert (prescan(data) or "windows-1252") == lookup(label)
