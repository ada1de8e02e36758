"""Bot and client classification over third-party user-agent corpora (see each SOURCE.md).

The rates are written to the terminal on every run (`make test` shows them), so a change in
the upstream `crawlerdetect` list or in our own rules is visible as a number, not only as a
pass or a fail. Expected answers come from the corpora's own labels and families, never from
the function under test.
"""

from __future__ import annotations

import json
import re
import time
from functools import cache
from pathlib import Path

import pytest

from share import useragents
from share.crawlerindex import crawler_index, upstream_is_crawler

yaml = pytest.importorskip("yaml", reason="PyYAML is in the test extra: pip install -e .[test]")
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# ua-isbot-labeled/browsers.yml keeps a group that its own label calls bots ("ZZZ Insignificat
# bots - These bots have very low appearance rate and are not worth blocking"). Not worth
# blocking for a firewall is still not a person for a scan counter, so that group is reported
# apart instead of counting as browsers.
SELF_DECLARED_BOTS = re.compile(r"^[^-]*\bbots\b", re.I)  # in the title, before " - "
# Families of test_ua.yaml that are people's browsers and in-app web views.
UAP_BROWSERS = frozenset(
    family.strip()
    for family in """
Chrome | Chrome Mobile | Chrome Mobile WebView | Chrome Mobile iOS | Chromium | Firefox
Firefox Beta | Firefox Mobile | Firefox iOS | Safari | Mobile Safari
Mobile Safari UI/WKWebView | Edge | Edge Mobile | IE | IE Mobile | Opera | Opera Mini
Opera Mobile | Opera GX | Opera Touch | Opera Coast | Opera Neon | Opera Tablet
Samsung Internet | UC Browser | QQ Browser | QQ Browser Mobile | QQ Browser Mini
Baidu Browser | Baidu Explorer | WeChat Browser | Weibo | Yandex Browser | Vivaldi | Brave
Whale | Puffin | Amazon Silk | MiuiBrowser | Huawei Browser | HeyTap Browser | VivoBrowser
Honor Browser | Quark | Quark PC | 360 Secure Browser | Maxthon | Pale Moon | Waterfox
Coc Coc | Facebook | Facebook Messenger | Instagram | LINE | KakaoTalk | TikTok
DuckDuckGo Mobile | Aloha Browser | Avast Secure Browser | Smart Lenovo Browser
Mint Browser | Sber Browser | Mail.ru Chromium Browser | Dolphin | Midori | Konqueror
Sailfish Browser | Android | BlackBerry WebKit | Nokia Browser | Oculus Browser
Ecosia Android | Ecosia iOS | Slack Desktop Client | Microsoft Teams | Thunderbird
""".replace("\n", " | ").split(" | ")
    if family.strip()
)
QQ_APP = re.compile(r"(?<![A-Za-z])QQ/\d")
MAX_BROWSER_FLAGGED = 0.01
MIN_BOTS_DETECTED = 0.95


def report(request, line: str) -> None:
    """Write a result line to the terminal even when output is captured."""
    plugins = request.config.pluginmanager
    reporter = plugins.get_plugin("terminalreporter")
    capture = plugins.get_plugin("capturemanager")
    if reporter is None or capture is None:  # pytest without its terminal (e.g. xdist workers)
        print(f"[ua-corpora] {line}")
        return
    with capture.global_and_fixture_disabled():  # the terminal's fd is captured during a test
        reporter.ensure_newline()
        reporter.write_line(f"[ua-corpora] {line}")


def show_flagged(request, uas: list[str]) -> None:
    for ua in uas:
        report(request, f"  flagged: {useragents.classify(ua).bot_reason} | {ua[:100]}")


def rate(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100 * part / whole:.2f} %"


@cache
def load_yaml(path: Path):
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=Loader)  # noqa: S506 - SafeLoader / CSafeLoader


def isbot_groups(corpora: Path, name: str) -> dict[str, list[str]]:
    return load_yaml(corpora / "ua-isbot-labeled" / name)


def uap_cases(corpora: Path, name: str) -> list[dict]:
    return load_yaml(corpora / "ua-uap-core" / name)["test_cases"]


def crawler_instances(corpora: Path) -> list[str]:
    path = corpora / "bots-crawler-user-agents" / "crawler-user-agents.json"
    entries = json.loads(path.read_text(encoding="utf-8"))
    return [ua for entry in entries for ua in entry.get("instances", [])]


def test_isbot_browsers_are_not_bots(corpora, request):
    groups = isbot_groups(corpora, "browsers.yml")
    people = [
        ua for name, uas in groups.items() if not SELF_DECLARED_BOTS.search(name) for ua in uas
    ]
    declared = [ua for name, uas in groups.items() if SELF_DECLARED_BOTS.search(name) for ua in uas]
    flagged = [ua for ua in people if useragents.is_bot(ua)]
    everything = sum(useragents.is_bot(ua) for ua in people + declared)
    report(request, f"isbot browsers.yml flagged as bot: {rate(len(flagged), len(people))}")
    whole = rate(everything, len(people) + len(declared))
    report(request, f"  (whole file, incl. its self-declared bot group: {whole})")
    show_flagged(request, flagged)
    assert len(flagged) / len(people) <= MAX_BROWSER_FLAGGED


def test_isbot_wechat_and_qq_apps_are_human_and_classified(corpora):
    groups = isbot_groups(corpora, "browsers.yml")
    apps = [
        ua for uas in groups.values() for ua in uas if "MicroMessenger" in ua or QQ_APP.search(ua)
    ]
    assert len(apps) >= 4
    for ua in apps:
        assert not useragents.is_bot(ua), ua
        if "wxwork" in ua:
            expected = "wecom"
        elif "MicroMessenger" in ua:
            expected = "wechat"
        else:
            expected = "qq"
        assert useragents.classify_client(ua) == expected, ua


def test_isbot_crawlers_are_bots(corpora, request):
    groups = isbot_groups(corpora, "crawlers.yml")
    uas = [ua for group in groups.values() for ua in group]
    missed = [ua for ua in uas if not useragents.is_bot(ua)]
    report(request, f"isbot crawlers.yml detected: {rate(len(uas) - len(missed), len(uas))}")
    assert (len(uas) - len(missed)) / len(uas) >= MIN_BOTS_DETECTED


def test_wechat_lookalike_crawlers_are_all_bots(corpora):
    groups = isbot_groups(corpora, "crawlers.yml")
    lookalikes = [ua for group in groups.values() for ua in group if "MicroMessenger" in ua]
    assert len(lookalikes) >= 4
    assert [ua for ua in lookalikes if not useragents.is_bot(ua)] == []


def test_crawler_user_agents_instances_are_bots(corpora, request):
    uas = crawler_instances(corpora)
    missed = [ua for ua in uas if not useragents.is_bot(ua)]
    report(
        request, f"crawler-user-agents instances detected: {rate(len(uas) - len(missed), len(uas))}"
    )
    assert (len(uas) - len(missed)) / len(uas) >= MIN_BOTS_DETECTED


def expected_app(family: str, ua: str) -> str | None:
    """The client the corpus says this UA is, or None when the corpus does not say."""
    if family == "WeChat Browser" or "MicroMessenger" in ua:
        return "wecom" if "wxwork" in ua else "wechat"
    if QQ_APP.search(ua):
        return "qq"
    if family == "Weibo" or "weibo" in ua.lower():
        return "weibo"
    if family.startswith("QQ Browser"):
        return "browser"  # Tencent's standalone QQ Browser, not the QQ app (see useragents.py)
    return None


@pytest.mark.parametrize("name", ["test_ua.yaml", "test_device_cn_apps.yaml"])
def test_uap_wechat_qq_weibo_are_classified_to_their_app(corpora, request, name):
    cases = [(c["family"] or "", c["user_agent_string"]) for c in uap_cases(corpora, name)]
    labelled = [(expected_app(f, ua), ua) for f, ua in cases if expected_app(f, ua)]
    wrong = [(exp, ua) for exp, ua in labelled if useragents.classify_client(ua) != exp]
    counts = {
        app: sum(exp == app for exp, _ in labelled) for app in sorted({e for e, _ in labelled})
    }
    report(request, f"uap {name}: {len(labelled) - len(wrong)}/{len(labelled)} apps right {counts}")
    assert wrong == []
    assert not [ua for exp, ua in labelled if exp != "browser" and useragents.is_bot(ua)]


def test_uap_browsers_are_not_bots(corpora, request):
    browsers = [
        c["user_agent_string"]
        for c in uap_cases(corpora, "test_ua.yaml")
        if c["family"] in UAP_BROWSERS
    ]
    flagged = [ua for ua in browsers if useragents.is_bot(ua)]
    report(
        request, f"uap test_ua.yaml browsers flagged as bot: {rate(len(flagged), len(browsers))}"
    )
    show_flagged(request, flagged)
    assert len(browsers) > 250
    assert len(flagged) / len(browsers) <= MAX_BROWSER_FLAGGED


def test_uap_chinese_app_devices_are_not_bots(corpora, request):
    uas = [c["user_agent_string"] for c in uap_cases(corpora, "test_device_cn_apps.yaml")]
    flagged = [ua for ua in uas if useragents.is_bot(ua)]
    report(request, f"uap test_device_cn_apps.yaml flagged as bot: {rate(len(flagged), len(uas))}")
    show_flagged(request, flagged)
    assert len(flagged) / len(uas) <= MAX_BROWSER_FLAGGED


def all_corpus_uas(corpora: Path) -> list[str]:
    uas = [ua for group in isbot_groups(corpora, "browsers.yml").values() for ua in group]
    uas += [ua for group in isbot_groups(corpora, "crawlers.yml").values() for ua in group]
    uas += crawler_instances(corpora)
    for name in ("test_ua.yaml", "test_device_cn_apps.yaml"):
        uas += [c["user_agent_string"] for c in uap_cases(corpora, name)]
    return list(dict.fromkeys(uas))


def test_crawler_index_agrees_with_upstream_regex(corpora):
    """Guards the speed-up: indexing must not change one crawlerdetect verdict."""
    index = crawler_index()
    uas = all_corpus_uas(corpora)
    differ = [ua for ua in uas if upstream_is_crawler(ua) != bool(index.match(ua))]
    assert differ == []
    assert sum(map(upstream_is_crawler, uas[:600])) > 10  # the comparison sees both answers


def test_classification_speed_is_reported(corpora, request):
    """Not a timed test: prints cold (uncached) and warm (cached) cost per call."""
    uas = all_corpus_uas(corpora)
    useragents.cache_clear()
    useragents.classify("warm up the compiled patterns")
    started = time.perf_counter()
    for ua in uas:
        useragents.classify(ua)
    cold = (time.perf_counter() - started) / len(uas) * 1e6
    hot = uas[-1000:]  # still in the 4096-entry cache
    started = time.perf_counter()
    for _ in range(10):
        for ua in hot:
            useragents.classify(ua)
    warm = (time.perf_counter() - started) / (10 * len(hot)) * 1e6
    report(
        request, f"classify(): cold {cold:.1f} µs/call, warm {warm:.2f} µs/call ({len(uas)} UAs)"
    )
    assert warm < cold
