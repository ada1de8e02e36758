"""The safe fetcher on real loopback servers: what it reaches, what it refuses, when it stops."""

import ipaddress
import os
import re
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from httpservers import (
    LoopbackServer,
    endless,
    gzip_bomb,
    gzipped,
    page,
    redirect,
    slow_drip,
)

from share.fetch import FetchError, FetchPolicy, fetch

LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
ALLOW = FetchPolicy(allow_networks=(LOOPBACK,), deadline=5.0)


@pytest.fixture
def server():
    with LoopbackServer({"/": page("<title>hello</title>")}) as srv:
        yield srv


def refused(url, policy, reasons=None, kind="html"):
    with pytest.raises(FetchError) as info:
        fetch(url, policy, kind=kind)
    if reasons:
        assert info.value.reason in reasons, (url, info.value.reason, str(info.value))
    return info.value


def test_fetches_page_on_allowed_network(server):
    result = fetch(server.url("/"), ALLOW)
    assert result.status == 200
    assert result.content == b"<title>hello</title>"
    assert result.content_type == "text/html; charset=utf-8"
    assert result.url == server.url("/")
    assert server.requests[0]["headers"]["User-Agent"] == ALLOW.user_agent


def test_loopback_refused_without_allowance_and_no_connection(server):
    policy = FetchPolicy(allowed_ports=(server.port,))
    err = refused(server.url("/"), policy, {"blocked_address"})
    assert "not a public address" in str(err)
    assert server.connections == 0


def test_port_outside_allowed_ports_refused_before_dns(server):
    refused(server.url("/"), FetchPolicy(), {"bad_port"})
    assert server.connections == 0


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "2130706433",
        "0x7f000001",
        "0177.0.0.1",
        "127.1",
        "127.000.000.001",
        "0x7f.0.0.1",
        "localhost",
        "LOCALHOST",
        "localhost.",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "ⓛⓞⓒⓐⓛⓗⓞⓢⓣ",
        "127.127.127.127",
    ],
)
def test_odd_spellings_of_loopback_never_connect(server, host):
    policy = FetchPolicy(allowed_ports=(server.port,))
    refused(f"http://{host}:{server.port}/", policy, {"blocked_address", "bad_url", "dns_error"})
    assert server.connections == 0


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "100.100.100.200",
        "169.254.169.254",
        "169.254.1.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.0.192",
        "198.18.0.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",
        "ff02::1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "2002:7f00:1::",
        "2001:0:4136:e378::1",
        "64:ff9b::7f00:1",
        "64:ff9b:1::a00:1",
        "::127.0.0.1",
    ],
)
def test_every_non_public_address_is_blocked(address):
    start = time.monotonic()
    host = f"[{address}]" if ":" in address else address
    refused(f"http://{host}/", FetchPolicy(), {"blocked_address"})
    assert time.monotonic() - start < 1  # refused before any connect attempt


def test_metadata_addresses_refused_even_inside_allow_networks():
    policy = FetchPolicy(allow_networks=(ipaddress.ip_network("0.0.0.0/0"),))
    refused("http://169.254.169.254/latest/meta-data/", policy, {"blocked_address"})
    refused("http://100.100.100.200/latest/meta-data/", policy, {"blocked_address"})


def test_hostname_with_any_private_address_is_refused(server):
    """One private answer among public ones (A + AAAA) is enough to refuse."""
    policy = FetchPolicy(
        allowed_ports=(server.port,), resolver=lambda host, port: ["93.184.216.34", "127.0.0.1"]
    )
    refused(f"http://mixed.test:{server.port}/", policy, {"blocked_address"})
    assert server.connections == 0


def test_dns_rebinding_connects_to_the_vetted_address_only():
    """The name is resolved once; a second, private answer is never used."""
    answers = iter(["127.0.0.2"] + ["127.0.0.1"] * 10)
    calls = []

    def rebinding(host, port):
        calls.append(host)
        return [next(answers)]

    good = LoopbackServer({"/": page("vetted")}, host="127.0.0.2")
    # The private answer points at a server on the same port, so a second lookup would land there.
    with good, LoopbackServer({"/": page("rebound")}, port=good.port) as evil:
        policy = FetchPolicy(
            allow_networks=(ipaddress.ip_network("127.0.0.2/32"),), resolver=rebinding
        )
        result = fetch(f"http://rebind.test:{good.port}/", policy)
        assert result.content == b"vetted"
        assert calls == ["rebind.test"]
        assert evil.connections == 0


def test_pinned_connection_keeps_host_header(server):
    policy = FetchPolicy(allow_networks=(LOOPBACK,), resolver=lambda h, p: ["127.0.0.1"])
    fetch(f"http://article.example:{server.port}/", policy)
    assert server.requests[0]["headers"]["Host"] == f"article.example:{server.port}"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://127.0.0.1:25/",
        "dict://127.0.0.1:11211/",
        "ftp://x/",
        "http://a\\@127.0.0.1/",
        "http://user:pw@127.0.0.1/",
        "http://127.0.0.1 /",
        "//127.0.0.1/",
        "http:///path",
        "http://[::1/",
        "",
        "http://ex ample.com/",
    ],
)
def test_malformed_and_foreign_urls_refused(url):
    refused(url, FetchPolicy(allow_networks=(LOOPBACK,)), {"bad_url", "bad_scheme"})


def test_redirects_are_followed_and_final_url_reported(server):
    server.route("/a", redirect("/b", 301))
    server.route("/b", redirect(server.url("/c"), 307))
    server.route("/c", page("done"))
    result = fetch(server.url("/a"), ALLOW)
    assert result.content == b"done"
    assert result.url == server.url("/c")


def test_too_many_redirects(server):
    for i in range(10):
        server.route(f"/r{i}", redirect(f"/r{i + 1}"))
    server.route("/r10", page("end"))
    refused(server.url("/r0"), ALLOW, {"too_many_redirects"})
    assert len(server.requests) == 6  # the first request plus five redirects
    result = fetch(server.url("/r5"), ALLOW)
    assert result.content == b"end"


def test_redirect_into_private_address_refused():
    """A public-looking first hop may not bounce us onto loopback."""
    with LoopbackServer({"/": page("secret")}) as inner, LoopbackServer(host="127.0.0.2") as outer:
        outer.route("/", redirect(inner.url("/")))
        policy = FetchPolicy(allow_networks=(ipaddress.ip_network("127.0.0.2/32"),))
        refused(outer.url("/"), policy, {"blocked_address"})
        assert outer.connections == 1
        assert inner.connections == 0


def test_redirect_to_foreign_scheme_refused(server):
    server.route("/f", redirect("file:///etc/passwd"))
    refused(server.url("/f"), ALLOW, {"bad_scheme"})


def test_error_status_is_reported(server):
    err = refused(server.url("/missing"), ALLOW, {"bad_status"})
    assert err.status == 404


def test_slow_drip_cut_off_at_deadline(server):
    server.route("/drip", slow_drip(interval=0.05))
    policy = FetchPolicy(allow_networks=(LOOPBACK,), deadline=1.0)
    start = time.monotonic()
    refused(server.url("/drip"), policy, {"timeout"})
    assert time.monotonic() - start < 1.5


def test_silent_server_cut_off_at_deadline(server):
    server.route("/silent", lambda req: time.sleep(3))
    policy = FetchPolicy(allow_networks=(LOOPBACK,), deadline=0.5)
    start = time.monotonic()
    refused(server.url("/silent"), policy, {"timeout"})
    assert time.monotonic() - start < 1.0


def test_endless_body_cut_off_at_cap(server):
    server.route("/endless", endless())
    start = time.monotonic()
    err = refused(server.url("/endless"), ALLOW, {"too_large"})
    assert "2097152" in str(err)
    assert time.monotonic() - start < 5


def test_declared_oversize_refused_before_reading(server):
    server.route("/big", page(b"x" * (2 * 1024 * 1024 + 1)))
    refused(server.url("/big"), ALLOW, {"too_large"})
    result = fetch(server.url("/big"), ALLOW, kind="image")  # 8 MB cap for images
    assert len(result.content) == 2 * 1024 * 1024 + 1


def test_gzip_bomb_stops_at_cap(server):
    server.route("/bomb", gzip_bomb())
    start = time.monotonic()
    refused(server.url("/bomb"), ALLOW, {"too_large"})
    refused(server.url("/bomb"), ALLOW, {"too_large"}, kind="image")
    assert time.monotonic() - start < 5


def test_honest_gzip_is_decoded(server):
    server.route("/gz", gzipped("<title>压缩</title>"))
    assert fetch(server.url("/gz"), ALLOW).content == "<title>压缩</title>".encode()


def test_unsupported_content_encoding_refused(server):
    server.route("/br", page(b"xx", headers={"Content-Encoding": "br"}))
    refused(server.url("/br"), ALLOW, {"bad_encoding"})


def test_connection_refused_is_a_fetch_error():
    with LoopbackServer() as srv:
        port = srv.port
    refused(f"http://127.0.0.1:{port}/", ALLOW, {"connect_error"})


def test_policy_from_config_reads_strings_and_lists():
    policy = FetchPolicy.from_config(
        {
            "FETCH_ALLOW_NETWORKS": "10.0.0.0/8, 192.168.0.0/16 fd00::/8",
            "FETCH_ALLOWED_PORTS": "80,8080",
            "FETCH_TIMEOUT": "3",
        }
    )
    assert [str(n) for n in policy.allow_networks] == ["10.0.0.0/8", "192.168.0.0/16", "fd00::/8"]
    assert policy.allowed_ports == (80, 8080)
    assert policy.deadline == 3.0
    assert FetchPolicy.from_config({"FETCH_ALLOW_NETWORKS": ["127.0.0.0/8"]}).allow_networks == (
        LOOPBACK,
    )
    assert FetchPolicy.from_config({}) == FetchPolicy()


# --- The PayloadsAllTheThings SSRF corpus -------------------------------------------------

CORPORA = Path(os.environ.get("SHARE_CORPORA", Path(__file__).parents[1] / "../shared/corpora"))
SSRF_DIR = CORPORA / "ssrf-openredirect-payloadsallthethings" / "ssrf"
DOC_SITES = ("github.com", "mozilla.org", "blackhat.com", "tcpipguide.com", "googleapis.com")
# What public DNS answers for the rebinding helpers the corpus names (its own table says so);
# every other name is unknown, so the test never depends on, or reaches, the internet.
PUBLIC_DNS = {
    "localhost": ["127.0.0.1", "::1"],
    "localtest.me": ["::1"],
    "metadata.google.internal": ["169.254.169.254"],
    "metadata": ["169.254.169.254"],
    "instance-data": ["169.254.169.254"],
}


def offline_dns(host, port):
    if host in PUBLIC_DNS:
        return PUBLIC_DNS[host]
    nip = re.search(r"(\d+\.\d+\.\d+\.\d+)\.nip\.io$", host)
    if nip:
        return [nip.group(1)]
    if host.startswith("spoofed."):
        return ["127.0.0.1"]
    infos = socket.getaddrinfo(host, port, flags=socket.AI_NUMERICHOST, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


def ssrf_payloads() -> list[str]:
    """Every URL the corpus lists as a payload (documentation links left out)."""
    if not SSRF_DIR.is_dir():
        return []
    found = []
    for name in ("README.md", "SSRF-Cloud-Instances.md"):
        text = (SSRF_DIR / name).read_text(encoding="utf-8")
        for match in re.finditer(r"(?<![(\[])\b[a-z][a-z0-9+.-]*://[^\s`'\"<>|]+", text, re.I):
            url = match.group(0).rstrip(").,]")
            if any(site in url for site in DOC_SITES) or url in found:
                continue
            found.append(url)
    return found


def on_port(url: str, port: int) -> str:
    """The payload aimed at `port`, where the counting test server listens."""
    scheme, sep, rest = url.partition("://")
    netloc, slash, tail = re.match(r"([^/?#]*)(.?)(.*)", rest, re.S).groups()
    host = re.sub(r":\d*$", "", netloc) if not netloc.endswith("]") else netloc
    return f"{scheme}{sep}{host}:{port}{slash}{tail}"


def test_ssrf_corpus_payloads_all_refused_without_a_connection():
    payloads = ssrf_payloads()
    if not payloads:
        pytest.skip(f"SSRF corpus not found at {SSRF_DIR} (set SHARE_CORPORA)")
    assert len(payloads) >= 60
    with (
        LoopbackServer({"/": page("reached")}) as v4,
        LoopbackServer(host="::1", port=v4.port) as v6,
    ):
        policy = FetchPolicy(allowed_ports=(80, 443, v4.port), resolver=offline_dns, deadline=2.0)
        outcomes = {}
        for payload in payloads:
            for url in (payload, on_port(payload, v4.port)):
                if public_target(url):
                    continue  # never fetched: tests reach loopback only
                try:
                    fetch(url, policy)
                except FetchError as exc:
                    outcomes[url] = exc.reason
                else:
                    outcomes[url] = "FETCHED"
        allowed = {"blocked_address", "bad_scheme", "bad_url", "dns_error", "bad_port"}
        wrong = {u: r for u, r in outcomes.items() if r not in allowed}
        assert wrong == {}
        assert (v4.connections, v6.connections) == (0, 0)
    blocked = sum(r == "blocked_address" for r in outcomes.values())
    print(f"SSRF corpus: {len(payloads)} payloads, {len(outcomes)} URLs, {blocked} blocked_address")
    assert blocked >= 60


def public_target(url: str) -> bool:
    """1.1.1.1 and friends are public by design; the corpus uses them as parser decoys."""
    try:
        host = urlsplit(url).hostname or ""
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return False
