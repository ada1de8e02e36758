"""URL normalisation and host matching, without Flask."""

import pytest

from share.links.urls import MAX_URL_LENGTH, InvalidURL, host_allowed, normalise_url


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("HTTP://Example.COM:80/a#top", "http://example.com/a"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/x?b=2&a=1", "https://example.com:8443/x?b=2&a=1"),
        (
            "https://例子.测试/新闻/一",
            "https://xn--fsqu00a.xn--0zwm56d/%E6%96%B0%E9%97%BB/%E4%B8%80",
        ),
        (
            "https://news.example.com/a%20b?q=%E4%B8%AD",
            "https://news.example.com/a%20b?q=%E4%B8%AD",
        ),
        ("https://example.com./p", "https://example.com/p"),
        ("http://[2001:DB8::1]:8080/", "http://[2001:db8::1]:8080/"),
        ("http://[2001:db8:0:0:0:0:0:1]/", "http://[2001:db8::1]/"),
    ],
)
def test_normalise_url_canonical_forms(raw, expected):
    assert normalise_url(raw) == expected


def test_same_article_two_spellings_one_form():
    assert normalise_url("HTTPS://News.Example.com/a?x=1#frag") == normalise_url(
        "https://news.example.com:443/a?x=1"
    )


@pytest.mark.parametrize(
    "raw, words",
    [
        ("javascript:alert(1)", "javascript"),
        ("data:text/html,<b>x</b>", "data"),
        ("file:///etc/passwd", "file"),
        ("ftp://example.com/", "ftp"),
        ("/relative/path", "relative"),
        ("example.com/path", "scheme-less"),
        ("//example.com/path", "relative"),
        ("https://user:pw@example.com/", "password"),
        ("https://evil.com\\@example.com/", "backslash"),
        ("https://example.com/a b", "spaces"),
        ("https://example.com/\x00", "control"),
        ("https://exa\tmple.com/", "control"),
        ("http:///nohost", "no host"),
        ("https://example.com:99999/", "port"),
        ("https://exa_mple..com/", "not a valid domain"),
        ("http://[v1.x:€]/a", "IPv6"),
        ("http://[v1.x:'\"<>{}]/b", "IPv6"),
        ("http://[12345::1]/", "host is not valid"),
        ("", "full address"),
        (None, "full address"),
        (12, "full address"),
        ("https://example.com/" + "a" * MAX_URL_LENGTH, "longer"),
    ],
)
def test_normalise_url_refuses_with_a_reason(raw, words):
    with pytest.raises(InvalidURL) as info:
        normalise_url(raw)
    assert words in str(info.value)


@pytest.mark.parametrize(
    "host, patterns, allowed",
    [
        ("example.com", ["example.com"], True),
        ("news.example.com", ["*.example.com"], True),
        ("example.com", ["*.example.com"], False),
        ("badexample.com", ["*.example.com"], False),
        ("example.com.evil.net", ["example.com"], False),
        ("NEWS.Example.com", ["*.example.com"], True),
        ("anything.org", [], False),
    ],
)
def test_host_allowed_exact_and_wildcard(host, patterns, allowed):
    assert host_allowed(host, patterns) is allowed
