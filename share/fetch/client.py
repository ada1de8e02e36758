"""fetch(): one GET of a public page or image, with redirects checked hop by hop."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin

import requests

from .addresses import is_allowed, resolve, split_url
from .body import read_body
from .errors import FetchError
from .pinned import PeerRefused, PinnedAdapter
from .policy import FetchPolicy

CAPS = {"html": 2 * 1024 * 1024, "image": 8 * 1024 * 1024}
ACCEPT = {
    "html": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    "image": "image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.5",
}
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class FetchResult:
    """What came back: the final URL (after redirects), status, headers and the decoded body.

    `content_type` is the raw Content-Type header ("" when absent), charset
    parameter included, so the metadata layer can weigh it.
    """

    url: str
    status: int
    headers: Mapping
    content: bytes
    content_type: str


def fetch(url: str, policy: FetchPolicy, *, kind: Literal["html", "image"] = "html"):
    """GET `url` within `policy`; raise FetchError for anything refused or failed."""
    if kind not in CAPS:
        raise ValueError(f"unknown kind {kind!r}")
    deadline = time.monotonic() + policy.deadline
    for _hop in range(policy.max_redirects + 1):
        with (
            requests.Session() as session,
            _request(session, url, policy, kind, deadline) as response,
        ):
            location = response.headers.get("Location")
            if response.status_code in REDIRECTS and location:
                url = urljoin(url, location.strip())
                continue
            if not 200 <= response.status_code < 300:
                raise FetchError(
                    "bad_status",
                    f"The server answered {response.status_code} for {url}.",
                    status=response.status_code,
                )
            content = read_body(response, CAPS[kind], deadline)
            return FetchResult(
                url=url,
                status=response.status_code,
                headers=dict(response.headers),
                content=content,
                content_type=response.headers.get("Content-Type", ""),
            )
    raise FetchError(
        "too_many_redirects", f"More than {policy.max_redirects} redirects; gave up at {url}."
    )


def _request(session, url: str, policy: FetchPolicy, kind: str, deadline: float):
    """One hop: validate, resolve, vet every address, then GET from the first one."""
    scheme, host, port = split_url(url)
    if port not in policy.allowed_ports and not policy.allow_networks:
        raise FetchError("bad_port", f"Port {port} is not allowed for fetching.")
    addresses = resolve(host, port, _remaining(deadline), policy.resolver)
    for ip in addresses:
        if not is_allowed(ip, port, policy.allow_networks, policy.allowed_ports):
            if is_allowed(ip, port, policy.allow_networks, (port,)):
                raise FetchError("bad_port", f"Port {port} is not allowed for fetching.")
            raise FetchError(
                "blocked_address", f"{host} resolves to {ip}, which is not a public address."
            )
    session.trust_env = False  # no proxy or .netrc from the environment
    adapter = PinnedAdapter(str(addresses[0]))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    headers = {
        "User-Agent": policy.user_agent,
        "Accept": ACCEPT[kind],
        "Accept-Encoding": "gzip, deflate",
        "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
    }
    remaining = _remaining(deadline)
    try:
        return session.get(
            url, headers=headers, stream=True, allow_redirects=False, timeout=remaining
        )
    except requests.exceptions.Timeout:
        raise FetchError("timeout", f"{host} did not answer in time.") from None
    except requests.exceptions.SSLError:
        raise FetchError("tls_error", f"The TLS certificate of {host} was not accepted.") from None
    except requests.exceptions.ConnectionError as exc:
        if _caused_by(exc, PeerRefused):
            raise FetchError(
                "blocked_address", "The connection went to an unvetted address."
            ) from None
        raise FetchError("connect_error", f"Could not connect to {host}.") from None
    except requests.exceptions.RequestException as exc:
        raise FetchError("fetch_failed", f"Fetching {url} failed: {exc}.") from None


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError("timeout", "The fetch ran out of time.")
    return left


def _caused_by(exc: BaseException, kind: type) -> bool:
    seen = set()
    stack = [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, kind):
            return True
        stack.extend(
            [e.__cause__, e.__context__, *[a for a in e.args if isinstance(a, BaseException)]]
        )
        stack.append(getattr(e, "reason", None))
    return False
