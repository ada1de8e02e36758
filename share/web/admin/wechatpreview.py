"""The article page's "How WeChat will show this link": chat card preview and lint.

The card and the problems come from :mod:`share.wechat.preview`; this module
measures the thumbnail once per link version (a small per-process memory,
so reloading the page fetches nothing) and translates the problems.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from flask import current_app, jsonify

from share import services
from share.links.service import Link
from share.links.urls import host_allowed, host_of
from share.wechat import preview as wechat

from ..lookup import get_link_or_404
from .blueprint import bp
from .i18n import safe_image, t

#: Thumbnail measurements kept per process: (link id, meta version, image URL) → check.
_REMEMBER = 256
#: Seconds the article page waits for a measurement before showing "being checked".
PAGE_WAIT = 1.0
_checks: OrderedDict[tuple, wechat.ImageCheck] = OrderedDict()
_pending: dict[tuple, Future] = {}
_lock = threading.Lock()
_probes = ThreadPoolExecutor(max_workers=2, thread_name_prefix="wechat-probe")


def _image_check(link: Link, wait: float) -> wechat.ImageCheck:
    """The thumbnail's measurement, waiting at most ``wait`` s (then ``checking``).

    A slow image host never holds the page: the probe goes on in the
    background and its answer is kept for the next view.
    """
    image = safe_image(link.image)
    if not image:
        return wechat.ImageCheck("missing")
    key = (link.id, link.meta_version, image)
    with _lock:
        if key in _checks:
            _checks.move_to_end(key)
            return _checks[key]
        future = _pending.get(key)
        if future is None:
            future = _probes.submit(wechat.probe_image, image, services.current().fetch_policy)
            _pending[key] = future
            future.add_done_callback(lambda done: _keep(key, done))
    try:
        return future.result(timeout=wait)
    except FutureTimeout:
        return wechat.ImageCheck("checking")


def _keep(key: tuple, done: Future) -> None:
    with _lock:
        _pending.pop(key, None)
        if done.exception() is None:
            _checks[key] = done.result()
            while len(_checks) > _REMEMBER:
                _checks.popitem(last=False)


def for_link(link: Link, wait: float = PAGE_WAIT) -> dict:
    """The preview of ``link`` with its problems in the dashboard's language."""
    card = wechat.preview(
        title=link.title,
        description=link.description,
        image=safe_image(link.image),
        image_check=_image_check(link, wait),
        fetch_error=link.fetch_error,
        signature_on=services.current().wechat is not None,
        host_allowed=host_allowed(host_of(link.url), current_app.config["ALLOWED_HOSTS"]),
    )
    card["problems"] = [
        {"code": p.code, "message": t(p.message, **p.values)} for p in card["problems"]
    ]
    return card


@bp.get("/a/<code>/wechat.json")
def wechat_json(code: str):
    """The chat card preview and the lint list as JSON (the page's section, for programs)."""
    link = get_link_or_404(code)
    return jsonify(code=link.code, **for_link(link, wait=wechat.PROBE_SECONDS + 0.5))
