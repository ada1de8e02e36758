"""The jsapi ticket every signature needs: fetched from WeChat, cached, shared.

WeChat hands out an access token (``/cgi-bin/token``) and, with it, a jsapi
ticket (``/cgi-bin/ticket/getticket``), each valid for about two hours and
each rate-limited per day. Asking for a new token can invalidate the one
before it, so two processes must never refresh at once: the credentials are
cached in the database every worker and instance shares
(:mod:`share.storage.wechat`), a lease lets one process refresh them a few
minutes before they expire, and the others keep using the still-valid ticket
meanwhile (or wait a few seconds for the refresher when none is valid).

Each process also keeps the ticket in memory until its refresh time, so a
signature costs no database read in the common case.

The app secret travels only in the token request's query string; it is never
logged, never put into an exception message and never answered. Errors from
WeChat become :class:`WeChatUnavailable` with a sentence, the code and
WeChat's message (which does not contain the secret).
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
from sqlalchemy import Engine

from share import clock
from share.storage import wechat as store

from .signature import Signed, new_nonce, sign

log = logging.getLogger("share.wechat")

#: Refresh this many seconds before WeChat's expiry ("a few minutes early").
REFRESH_EARLY = 300.0
#: Longest a refresher may hold the lease (two API calls with their timeouts, and margin).
LEASE_SECONDS = 30.0
#: Seconds one call to WeChat's API may take.
API_TIMEOUT = 5.0
#: How long a process without a valid ticket waits for another's refresh.
WAIT_FOR_REFRESH = 8.0
#: Biggest answer read from WeChat's API (its JSON is a few hundred bytes).
MAX_ANSWER = 64 * 1024
#: Seconds a process stops asking WeChat after a failed refresh (no hammering in an outage).
BACK_OFF = 10.0
#: WeChat's codes for an access token that is invalid or expired: get a new one, once.
TOKEN_REJECTED = frozenset({40001, 40014, 42001})


class WeChatUnavailable(Exception):
    """No ticket can be had now: WeChat refused, failed, or another refresher is stuck.

    The message is one sentence for the log and the 503 answer, never with the secret.
    """


@dataclass(frozen=True)
class Credentials:
    """An official account's app id and secret, and the API base (a stand-in in tests)."""

    app_id: str
    secret: str
    api: str = "https://api.weixin.qq.com"

    def __repr__(self) -> str:  # the secret stays out of tracebacks and logs
        return f"Credentials(app_id={self.app_id!r}, api={self.api!r})"


class _Redact(logging.Filter):
    """Blanks the secret out of urllib3's debug lines (they log each request's query string)."""

    def __init__(self, secret: str):
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "[secret]"), ()
        return True


class WeChatApi:
    """The two calls to WeChat's API, with timeouts, no redirects and a size cap."""

    def __init__(self, credentials: Credentials, session: requests.Session | None = None):
        self.credentials = credentials
        self.session = session or requests.Session()
        urllib3_log = logging.getLogger("urllib3.connectionpool")
        if not any(
            isinstance(f, _Redact) and f.secret == credentials.secret for f in urllib3_log.filters
        ):
            urllib3_log.addFilter(_Redact(credentials.secret))

    def access_token(self) -> tuple[str, float]:
        """A new access token and its lifetime in seconds."""
        c = self.credentials
        answer = self._get(
            "/cgi-bin/token",
            {"grant_type": "client_credential", "appid": c.app_id, "secret": c.secret},
            "access token",
        )
        return self._value(answer, "access_token", "access token")

    def jsapi_ticket(self, token: str) -> tuple[str, float]:
        """A new jsapi ticket and its lifetime; :class:`TokenRejected` if the token is stale."""
        answer = self._get(
            "/cgi-bin/ticket/getticket", {"access_token": token, "type": "jsapi"}, "jsapi ticket"
        )
        if answer.get("errcode") in TOKEN_REJECTED:
            raise TokenRejected(answer.get("errcode"))
        return self._value(answer, "ticket", "jsapi ticket")

    def _get(self, path: str, params: dict, what: str) -> dict:
        try:
            response = self.session.get(
                self.credentials.api + path,
                params=params,
                timeout=API_TIMEOUT,
                allow_redirects=False,
                stream=True,
            )
            with response:
                body = response.raw.read(MAX_ANSWER + 1, decode_content=True)
        except requests.RequestException as exc:
            # the exception's text holds the URL, and so the secret: only its kind is told
            raise WeChatUnavailable(
                f"WeChat's API could not be reached for the {what} ({type(exc).__name__})."
            ) from None
        except OSError as exc:
            raise WeChatUnavailable(
                f"WeChat's API could not be read for the {what} ({type(exc).__name__})."
            ) from None
        if response.status_code != 200 or len(body) > MAX_ANSWER:
            raise WeChatUnavailable(
                f"WeChat's API answered HTTP {response.status_code} for the {what}."
            )
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise WeChatUnavailable(
                f"WeChat's API answered something other than JSON for the {what}."
            )
        return answer

    @staticmethod
    def _value(answer: dict, key: str, what: str) -> tuple[str, float]:
        code = answer.get("errcode", 0)
        if code not in (0, None):
            message = str(answer.get("errmsg", ""))[:200]
            raise WeChatUnavailable(f"WeChat refused the {what}: error {code} ({message}).")
        value, lifetime = answer.get(key), answer.get("expires_in")
        if not isinstance(value, str) or not value or not isinstance(lifetime, int | float):
            raise WeChatUnavailable(f"WeChat's answer for the {what} has no {key}.")
        return value, float(lifetime)


class TokenRejected(Exception):
    """WeChat said the access token is invalid or expired (get a new one and try once more)."""


class TicketSource:
    """The current jsapi ticket for one app id, refreshed by one process at a time."""

    def __init__(
        self,
        engine: Engine,
        api: WeChatApi,
        *,
        now: Callable[[], float] = clock.epoch_now,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.engine = engine
        self.api = api
        self.now = now
        self.sleep = sleep
        app_id = api.credentials.app_id
        self._ticket_key = f"jsapi_ticket:{app_id}"
        self._token_key = f"access_token:{app_id}"
        self._lease_key = f"refresh_lease:{app_id}"
        self._owner = secrets.token_hex(8)
        self._memory: store.Cached | None = None
        self._failed: tuple[float, str] | None = None  # (until, message) after a failed refresh
        self._lock = threading.Lock()

    @property
    def app_id(self) -> str:
        """The official account's app id, as ``wx.config`` wants it."""
        return self.api.credentials.app_id

    def signed(self, url: str) -> Signed:
        """A signature of ``url`` (fragment already removed) made now with a fresh nonce."""
        timestamp = int(self.now())
        nonce = new_nonce()
        return Signed(timestamp, nonce, sign(self.ticket(), nonce, timestamp, url))

    def ticket(self) -> str:
        """A valid jsapi ticket; :class:`WeChatUnavailable` when none can be had."""
        now = self.now()
        memory = self._memory
        if memory is not None and now < memory.expires - REFRESH_EARLY:
            return memory.value
        with self._lock:  # one thread per process goes to the database and WeChat
            return self._ticket()

    def _ticket(self) -> str:
        waited = 0.0
        while True:
            now = self.now()
            cached = store.get(self.engine, self._ticket_key)
            if cached is not None and now < cached.expires - REFRESH_EARLY:
                self._memory = cached
                return cached.value
            if self._failed is not None and now < self._failed[0]:  # backing off
                if cached is not None and now < cached.expires:
                    return cached.value
                raise WeChatUnavailable(self._failed[1])
            if store.take_lease(self.engine, self._lease_key, self._owner, now, LEASE_SECONDS):
                try:
                    ticket = self._refresh()
                except WeChatUnavailable as exc:
                    self._failed = (self.now() + BACK_OFF, str(exc))
                    if cached is not None and self.now() < cached.expires:
                        log.error("%s Using the cached ticket until it expires.", exc)
                        return cached.value
                    raise
                finally:
                    store.release_lease(self.engine, self._lease_key, self._owner)
                self._failed = None
                return ticket
            if cached is not None and now < cached.expires:
                return cached.value  # another process is refreshing; this one is still good
            if waited >= WAIT_FOR_REFRESH:
                raise WeChatUnavailable(
                    "Another process is fetching WeChat's jsapi ticket and has not finished; "
                    "try again shortly."
                )
            self.sleep(0.05)
            waited += 0.05

    def _refresh(self) -> str:
        """Holding the lease: a new ticket (and a new token only when the cached one is stale)."""
        cached = store.get(self.engine, self._ticket_key)
        if cached is not None and self.now() < cached.expires - REFRESH_EARLY:
            self._memory = cached  # refreshed by another process just before the lease was free
            return cached.value
        token = self._token(force=False)
        try:
            value, lifetime = self.api.jsapi_ticket(token)
        except TokenRejected:
            log.warning("WeChat rejected the cached access token; fetching a new one")
            try:
                value, lifetime = self.api.jsapi_ticket(self._token(force=True))
            except TokenRejected as exc:
                raise WeChatUnavailable(
                    f"WeChat rejected a new access token too: error {exc.args[0]}."
                ) from None
        ticket = store.Cached(value, self.now() + lifetime)
        store.put(self.engine, self._ticket_key, ticket.value, ticket.expires)
        self._memory = ticket
        log.info("fetched a new WeChat jsapi ticket for %s", self.app_id)
        return value

    def _token(self, *, force: bool) -> str:
        cached = store.get(self.engine, self._token_key)
        if not force and cached is not None and self.now() < cached.expires - REFRESH_EARLY:
            return cached.value
        value, lifetime = self.api.access_token()
        store.put(self.engine, self._token_key, value, self.now() + lifetime)
        log.info("fetched a new WeChat access token for %s", self.app_id)
        return value
