"""``/t/<target>``: the counted hop of every share button, and the widget's share beacon.

``GET /t/weibo?url=…`` finds (or registers, under the ``ALLOWED_HOSTS``
rule, rate-limited like ``/api/v1/share``) the article's link, counts one
share for (link, target, quarter hour) and answers ``302`` to the network's
share page carrying the tracked short link ``/s/<code>?src=weibo``. A reader
clicking a share button must always get where they were going: whenever
the share cannot be tracked (host not allowed, registration refused or
limited, link off or gone, public URL unknown) the ``302`` carries the page
URL itself and nothing is counted. ``HEAD`` and bots (the scans' rule,
:mod:`share.scans.counting`) are redirected but not counted.

``POST /t/<target>?url=…`` is the widget's beacon for shares made in the
page (copy, native share): ``204``, counting one share of an already
registered live link; any other URL is a ``204`` counting nothing (the
widget cannot act on an error, and a beacon must not register links).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qs

from flask import Blueprint, Flask, Response, abort, current_app, request
from limits import parse

from share import services
from share.errors import InputError
from share.links import service as links
from share.links.urls import host_allowed, host_of, normalise_url
from share.scans import useragents
from share.scans.counting import counts_as_human
from share.sharing import clicks, targets

from ..db import get_engine
from .api import _create
from .extensions import client_address, csrf, limiter, share_rate_limit
from .publicurl import public_url

bp = Blueprint("sharehop", __name__)

_NO_STORE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}
_LEAN_HEADERS = [
    *_NO_STORE.items(),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Length", "0"),
]


def _memory() -> clicks.LinkMemory:
    """This worker's URL → link memory for the app's engine."""
    return clicks.memory_for(get_engine())


def _template(target: str) -> str:
    """The navigate target's share URL template; aborts 404 for any other name."""
    template = current_app.config["SHARE_TARGET_URLS"].get(target) or targets.TEMPLATES.get(target)
    if template is None:
        abort(404, description=_unknown(target))
    return template


def _unknown(target: str) -> str:
    return (
        f"There is no share target {target[:40]!r}; "
        f"use one of {', '.join(targets.TEMPLATES)} (and copy, native for the beacon)."
    )


def _counts() -> bool:
    """Whether this request is a person's share: not ``HEAD``, not a bot (the scans' rule)."""
    agent = useragents.classify(request.headers.get("User-Agent"))
    return counts_as_human(request.method, agent)


def _may_register() -> bool:
    """One hit on this client's registration limit (``SHARE_RATE_LIMIT``); False when over it."""
    try:
        item = parse(share_rate_limit())
        prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
        return limiter.limiter.hit(item, prefix, "share-hop-register", client_address())
    except Exception as exc:  # noqa: BLE001 - a counter out of reach refuses, never fails
        current_app.logger.warning(
            "share hop: registration limit unreadable (%s)", type(exc).__name__
        )
        return False


def _find_or_register(url: str, person: bool) -> links.Link | None:
    """The live link for ``url``, registered on a person's first use when allowed.

    None: leave the share untracked (see the module). Bots and ``HEAD`` find, never register.
    """
    memory = _memory()
    link = memory.find(url)
    if link is None:
        if not person or not host_allowed(host_of(url), current_app.config["ALLOWED_HOSTS"]):
            return None
        if not _may_register():
            return None
        try:
            link, _ = _create(url, background=True)
        except InputError:
            return None
        memory.keep(url, link)
    return None if link.disabled else link


@bp.route("/t/<target>", methods=["GET", "HEAD"])
def hop(target: str):
    """Count one share (people only) and send the reader on to the network's share page.

    A person's ``GET`` of a remembered live link is answered by the lean path
    in front of Flask (:func:`install`); this view does the rest: ``HEAD``,
    bots, links to find or register, untracked shares, errors.
    """
    template = _template(target)
    url = _normalised(request.args.get("url"))  # InvalidURL: a 400 naming the problem
    person = _counts()
    link = _find_or_register(url, person)
    location = None
    if link is not None:
        try:
            short = links.short_url(public_url(), link.code, target)
        except InputError:  # no public address known: the page URL still gets shared
            short = None
        if short is not None:
            if person:
                clicks.record_share(get_engine(), link.id, target)
            location = targets.fill(template, short, request.args, link)
    if location is None:
        location = targets.fill(template, url, request.args)
    return Response(status=302, headers={"Location": location, **_NO_STORE})


@lru_cache(maxsize=1024)
def _normalised(raw: object) -> str:
    """:func:`normalise_url`, remembered per raw string (IDNA encoding is the costly part)."""
    return normalise_url(raw)


def install(app: Flask) -> None:
    """Answer a person's hop to a remembered live link ahead of Flask (like ``/s/<code>``).

    Only with ``PUBLIC_URL`` set (a public address read from the request
    needs Flask's host checks); anything else goes on to :func:`hop`.
    """
    public = app.config.get("PUBLIC_URL")
    if not public:
        return
    engine = services.of(app).engine
    templates = targets.templates(app.config["SHARE_TARGET_URLS"])
    inner = app.wsgi_app

    def lean(environ) -> str | None:
        template = templates.get(environ["PATH_INFO"][3:])
        query = environ.get("QUERY_STRING", "")
        if template is None or "url=" not in query:
            return None
        args = {k: v[0] for k, v in parse_qs(query, max_num_fields=20).items()}
        agent = useragents.classify(environ.get("HTTP_USER_AGENT"))
        if not counts_as_human("GET", agent):
            return None
        try:
            url = _normalised(args.get("url"))
        except InputError:
            return None
        link = clicks.memory_for(engine).find(url)
        if link is None or link.disabled:
            return None
        target = environ["PATH_INFO"][3:]
        clicks.record_share(engine, link.id, target)
        return targets.fill(template, links.short_url(public, link.code, target), args, link)

    def wsgi(environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO", "").startswith(
            "/t/"
        ):
            try:
                location = lean(environ)
            except Exception:  # noqa: BLE001 - an odd query, a database error: the view answers
                location = None
            if location is not None:
                start_response("302 Found", [("Location", location), *_LEAN_HEADERS])
                return [b""]
        return inner(environ, start_response)

    app.wsgi_app = wsgi


@bp.post("/t/<target>")
@csrf.exempt
@limiter.limit(share_rate_limit)
def beacon(target: str):
    """The widget's report of a share made in the page: ``204``, counting a registered live link."""
    if not targets.is_target(target):
        abort(404, description=_unknown(target))
    url = _normalised(request.args.get("url"))
    link = _memory().find(url)
    if link is not None and not link.disabled and _counts():
        clicks.record_share(get_engine(), link.id, target)
    return Response(status=204, headers={"Access-Control-Allow-Origin": "*", **_NO_STORE})
