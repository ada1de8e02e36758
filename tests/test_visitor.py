"""The Visitor value object and the user-agent classifier, without Flask."""

from dataclasses import FrozenInstanceError, asdict, fields
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from share.scans import useragents
from share.scans.bots import bot_reason
from share.scans.visitor import (
    UA_LIMIT,
    Visitor,
    client_ip,
    daily_salt,
    parse_placement,
    referrer_host,
    visitor_hash,
)

SECRET = "test-secret"
NOON = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
IPHONE_WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN"
)
ANDROID_WECHAT = (
    "Mozilla/5.0 (Linux; Android 13; V2243A Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/111.0.5563.116 Mobile Safari/537.36 XWEB/1160065 "
    "MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin "
    "NetType/5G Language/zh_CN ABI/arm64"
)
ANDROID_QQ = (
    "Mozilla/5.0 (Linux; Android 10; PCT-AL10 Build/HUAWEIPCT-AL10; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/77.0.3865.120 MQQBrowser/6.2 TBS/045513 Mobile "
    "Safari/537.36 V1_AND_SQ_8.4.8_1492_YYB_D A_8040800 QQ/8.4.8.4810 NetType/WIFI WebP/0.3.0"
)
DESKTOP_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)


def visit(**overrides):
    """A Visitor from a GET by desktop Chrome, with any argument overridden."""
    args = {
        "method": "GET",
        "headers": {"User-Agent": DESKTOP_CHROME},
        "remote_addr": "198.51.100.7",
        "src": "qr",
        "secret": SECRET,
        "now": NOON,
    }
    args.update(overrides)
    return Visitor.from_request(**args)


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("qr", "qr"),
        ("print_a4-2", "print_a4-2"),
        ("a" * 32, "a" * 32),
        ("a" * 33, "link"),
        ("QR", "link"),
        ("", "link"),
        (None, "link"),
        ("qr\n", "link"),
        ("qr'; DROP TABLE scans;--", "link"),
        ("<script>", "link"),
        ("card%20x", "link"),
        ("卡片", "link"),
    ],
)
def test_placement_accepts_only_the_contract_alphabet(src, expected):
    assert parse_placement(src) == expected
    assert visit(src=src).placement == expected


@pytest.mark.parametrize(
    ("referer", "expected"),
    [
        ("https://News.Example.COM:8443/a/b?x=1#f", "news.example.com"),
        ("http://user:pw@example.org/path", "example.org"),
        ("https://example.com./", "example.com"),
        ("android-app://com.tencent.mm/", "com.tencent.mm"),
        ("https://[2001:db8::1]:443/x", "2001:db8::1"),
        ("https://例え.jp/", "xn--r8jz45g.jp"),
        ("not a url", None),
        ("/relative/path", None),
        ("https://", None),
        ("https://[::1/", None),
        ("https://exa mple.com/", None),
        ("", None),
        (None, None),
    ],
)
def test_referrer_keeps_only_the_host(referer, expected):
    assert referrer_host(referer) == expected
    headers = {"User-Agent": DESKTOP_CHROME}
    if referer is not None:
        headers["Referer"] = referer
    assert visit(headers=headers).referrer_host == expected


def test_user_agent_is_capped_at_512_characters():
    long_ua = DESKTOP_CHROME + " X" * 400
    v = visit(headers={"User-Agent": long_ua})
    assert len(v.user_agent) == UA_LIMIT == 512
    assert long_ua.startswith(v.user_agent)
    assert v.client == "browser" and not v.is_bot


def test_plain_dict_headers_of_any_case_are_read():
    for key in ("User-Agent", "user-agent", "USER-AGENT"):
        assert visit(headers={key: IPHONE_WECHAT}).client == "wechat"


def test_head_request_is_never_a_human_scan():
    assert not visit(method="GET").is_bot
    head = visit(method="HEAD")
    assert head.is_bot and not head.is_human
    assert visit(method="head").is_bot


def test_wechat_scan_is_a_human_wechat_visitor():
    v = visit(headers={"User-Agent": ANDROID_WECHAT, "Referer": "https://mp.weixin.qq.com/s/x"})
    assert (v.client, v.platform, v.is_bot, v.is_human) == ("wechat", "android", False, True)
    assert v.referrer_host == "mp.weixin.qq.com"


@pytest.mark.parametrize(
    ("ua", "client", "platform"),
    [
        (IPHONE_WECHAT, "wechat", "ios"),
        (ANDROID_WECHAT, "wechat", "android"),
        (ANDROID_QQ, "qq", "android"),
        (DESKTOP_CHROME, "browser", "windows"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
            "like Gecko) Mobile/15E148 wxwork/4.1.0 MicroMessenger/7.0.1 Language/zh",
            "wecom",
            "ios",
        ),
        (
            "Mozilla/5.0 (Linux; U; Android 10; zh-CN; M2007J3SC Build/QKQ1.200419.002) AppleWebKit"
            "/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.0.36 Mobile "
            "Safari/537.36 AliApp(AP/10.2.0.8026) AlipayClient/10.2.0.8026 Language/zh-Hans",
            "alipay",
            "android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 15_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
            "like Gecko) Mobile/15E148 AliApp(DingTalk/6.3.5) com.laiwang.DingTalk/23456 "
            "Channel/201200 language/zh-Hans-CN",
            "dingtalk",
            "ios",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/17.4 Safari/605.1.15",
            "browser",
            "macos",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
            "browser",
            "linux",
        ),
        ("", "other", "other"),
        ("SomethingElse", "other", "other"),
    ],
)
def test_client_and_platform(ua, client, platform):
    assert useragents.classify_client(ua) == client
    assert useragents.classify_platform(ua) == platform
    assert visit(headers={"User-Agent": ua}).client == client


@pytest.mark.parametrize(
    "ua",
    [
        "",
        "   ",
        "curl/8.5.0",
        "Wget/1.21.4",
        "python-requests/2.32.3",
        "Python-urllib/3.11",
        "HTTPie/3.2.2",
        "Go-http-client/1.1",
        "okhttp/4.12.0",
        "Java/17.0.2",
        "libwww-perl/6.72",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Twitterbot/1.0",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "TelegramBot (like TwitterBot)",
        "WhatsApp/2.23.20.0",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) "
        "Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0",
        "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/"
        "537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/"
        "124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 "
        "Safari/538.1",
        IPHONE_WECHAT + " wechatdevtools qcloudcdn-xinan",
    ],
)
def test_bots_previews_cli_and_headless_are_bots(ua):
    assert useragents.is_bot(ua), ua
    assert visit(headers={"User-Agent": ua}).is_bot


@pytest.mark.parametrize(
    "ua",
    [
        IPHONE_WECHAT,
        ANDROID_WECHAT,
        ANDROID_QQ,
        DESKTOP_CHROME,
        "Mozilla/5.0 (Linux; Android 10; ELE-AL00 Build/HUAWEIELE-AL00; wv) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Version/4.0 Chrome/76.0.3809.89 Mobile Safari/537.36 T7/12.5 "
        "SP-engine/2.24.0 baiduboxapp/12.5.1.10 (Baidu; P1 10) NABar/1.0",
        "HTC One_4.3_weibo_4.2.6_android",
    ],
)
def test_real_chinese_app_user_agents_are_not_bots(ua):
    assert bot_reason(ua) is None, bot_reason(ua)
    assert visit(headers={"User-Agent": ua}).is_human


def test_proxy_count_zero_ignores_forwarded_for():
    assert client_ip("10.0.0.1", "203.0.113.5", 0) == "10.0.0.1"


def test_proxy_count_takes_nth_entry_from_the_right_and_ignores_spoofed_ones():
    spoofed = "1.1.1.1, 6.6.6.6, 203.0.113.5"
    assert client_ip("10.0.0.1", spoofed, 1) == "203.0.113.5"
    assert client_ip("10.0.0.1", spoofed + ", 10.0.0.2", 2) == "203.0.113.5"
    assert client_ip("10.0.0.1", "203.0.113.5:51234", 1) == "203.0.113.5"
    assert client_ip("10.0.0.1", "[2001:db8::5]:443", 1) == "2001:db8::5"


@pytest.mark.parametrize("xff", [None, "", "garbage", "203.0.113.5, not-an-ip", "999.1.1.1"])
def test_malformed_forwarded_for_falls_back_to_socket_address(xff):
    assert client_ip("10.0.0.1", xff, 1) == "10.0.0.1"


def test_too_few_forwarded_entries_fall_back_to_socket_address():
    assert client_ip("10.0.0.1", "203.0.113.5", 2) == "10.0.0.1"


def test_spoofed_forwarded_for_does_not_change_the_hash_behind_one_proxy():
    honest = {"User-Agent": DESKTOP_CHROME, "X-Forwarded-For": "203.0.113.5"}
    spoofed = {"User-Agent": DESKTOP_CHROME, "X-Forwarded-For": "6.6.6.6, 203.0.113.5"}
    a = visit(headers=honest, remote_addr="10.0.0.1", proxy_count=1)
    b = visit(headers=spoofed, remote_addr="10.0.0.1", proxy_count=1)
    assert a.visitor_hash == b.visitor_hash
    direct = visit(headers=spoofed, remote_addr="10.0.0.1", proxy_count=0)
    assert direct.visitor_hash != a.visitor_hash  # without proxies the header is ignored


def test_hash_is_stable_within_a_utc_day_and_changes_the_next_day():
    morning = visit(now=datetime(2026, 3, 14, 0, 0, 1, tzinfo=UTC))
    evening = visit(now=datetime(2026, 3, 14, 23, 59, 59, tzinfo=UTC))
    tomorrow = visit(now=datetime(2026, 3, 15, 0, 0, 0, tzinfo=UTC))
    assert morning.visitor_hash == evening.visitor_hash
    assert tomorrow.visitor_hash != morning.visitor_hash
    assert len(morning.visitor_hash) == 32
    assert int(morning.visitor_hash, 16) >= 0


def test_the_salt_day_is_the_display_zones_day():
    """The hash rotates at local midnight of the zone the dashboard counts days in."""
    shanghai = ZoneInfo("Asia/Shanghai")
    # 15:59 and 16:01 UTC are the same UTC day but two days in Shanghai
    before = visit(now=datetime(2026, 3, 14, 15, 59, tzinfo=UTC), salt_zone=shanghai)
    after = visit(now=datetime(2026, 3, 14, 16, 1, tzinfo=UTC), salt_zone=shanghai)
    assert before.visitor_hash != after.visitor_hash
    late = visit(now=datetime(2026, 3, 15, 15, 59, tzinfo=UTC), salt_zone=shanghai)
    assert late.visitor_hash == after.visitor_hash
    # the instant counts, not how it is written: aware in any zone, or naive UTC
    written_locally = visit(
        now=datetime(2026, 3, 15, 7, 0, tzinfo=timezone(timedelta(hours=8))), salt_zone=shanghai
    )
    naive = visit(now=datetime(2026, 3, 14, 23, 0), salt_zone=shanghai)
    assert written_locally.visitor_hash == naive.visitor_hash == after.visitor_hash


def test_hash_differs_between_ips_user_agents_and_secrets():
    base = visit()
    assert visit(remote_addr="198.51.100.8").visitor_hash != base.visitor_hash
    other_ua = {"User-Agent": DESKTOP_CHROME.replace("124", "125")}
    assert visit(headers=other_ua).visitor_hash != base.visitor_hash
    assert visit(secret="another-secret").visitor_hash != base.visitor_hash
    assert visit(secret=SECRET.encode()).visitor_hash == base.visitor_hash


def test_daily_salt_is_derived_not_random():
    day = date(2026, 3, 14)
    assert daily_salt(SECRET, day) == daily_salt(SECRET.encode(), day)
    assert daily_salt(SECRET, day) != daily_salt(SECRET, day + timedelta(days=1))
    assert len(daily_salt(SECRET, day)) == 32
    with pytest.raises(ValueError, match="secret"):
        daily_salt(b"", day)


def test_visitor_never_holds_the_raw_ip():
    ip = "203.0.113.77"
    headers = {"User-Agent": DESKTOP_CHROME, "X-Forwarded-For": ip, "Referer": "https://a.example/"}
    for proxy_count, remote in ((0, ip), (1, "10.0.0.1")):
        v = visit(headers=headers, remote_addr=remote, proxy_count=proxy_count)
        dumped = repr(v) + repr(asdict(v)) + str(v)
        assert ip not in dumped
        assert "203.0.113" not in dumped
        assert {f.name for f in fields(Visitor)}.isdisjoint({"ip", "remote_addr", "client_ip"})
    assert visitor_hash(SECRET, NOON.date(), ip, DESKTOP_CHROME) == v.visitor_hash


def test_visitor_is_frozen():
    v = visit()
    with pytest.raises(FrozenInstanceError):
        v.is_bot = True


def test_classification_is_cached_by_user_agent():
    useragents.cache_clear()
    ua = DESKTOP_CHROME + " cache-probe"
    first = useragents.classify(ua)
    assert useragents.classify(ua) is first
    assert useragents._classify.cache_info().hits >= 1
    assert useragents._classify.cache_info().maxsize == 4096


def test_warm_up_builds_the_rules_but_caches_no_user_agent():
    """The redirector warms the rules at start-up so a worker's first scans do not wait."""
    from share.scans import platforms
    from share.scans.crawlerindex import crawler_index

    useragents.cache_clear()
    useragents.warm_up()
    assert useragents._classify.cache_info().currsize == 0
    assert platforms._resolver.cache_info().currsize == 1
    assert crawler_index.cache_info().currsize == 1


@pytest.mark.parametrize(
    ("method", "ua", "human"),
    [
        ("GET", DESKTOP_CHROME, True),
        ("get", DESKTOP_CHROME, True),
        ("HEAD", DESKTOP_CHROME, False),
        ("GET", "curl/8.5.0", False),
        ("GET", "facebookexternalhit/1.1", False),
        ("GET", DESKTOP_CHROME.replace("Chrome/", "HeadlessChrome/"), False),
    ],
)
def test_one_rule_decides_whether_a_request_counts_as_a_person(method, ua, human):
    from share.scans.counting import counts_as_human

    assert counts_as_human(method, useragents.classify(ua)) is human
    assert visit(method=method, headers={"User-Agent": ua}).is_human is human


def test_scan_row_is_the_one_mapping_from_visitor_to_storage():
    at = datetime(2026, 3, 14, 20, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    v = visit(headers={"User-Agent": DESKTOP_CHROME, "Referer": "https://a.example/x"})
    row = v.scan_row(at)
    assert row["ts"] == datetime(2026, 3, 14, 12, 30)  # naive UTC, converted
    assert row["hour"] == int(at.timestamp()) // 3600
    assert (row["client"], row["platform"], row["placement"]) == ("browser", "windows", "qr")
    assert (row["referrer_host"], row["is_bot"], row["visitor"]) == (
        "a.example",
        False,
        v.visitor_hash,
    )
