"""The share targets: where each of the widget's buttons sends a reader, as data.

Navigate targets open the network's share page; their URL templates take
``{url}``, ``{title}``, ``{description}`` and ``{image}``, each filled in
URL-encoded. In-page targets (``copy``, ``native``) have no share page: the
widget copies or shares the tracked link itself and only reports the share.
Adding a network is one entry in :data:`TEMPLATES` (and its button in
``static/widget.js``).

``SHARE_TARGET_URLS`` may point navigate targets at other templates: it is
meant for tests and staging, to send readers to a stand-in rather than the
real networks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from string import Formatter
from typing import Any
from urllib.parse import quote, urlsplit

#: Navigate targets and their share URL templates (copied from ``static/widget.js``).
TEMPLATES: dict[str, str] = {
    "weibo": "https://service.weibo.com/share/share.php?url={url}&title={title}&pic={image}",
    "qq": "https://connect.qq.com/widget/shareqq/index.html"
    "?url={url}&title={title}&desc={description}&pics={image}",
    "qzone": "https://sns.qzone.qq.com/cgi-bin/qzshare/cgi_qzshare_onekey"
    "?url={url}&title={title}&desc={description}&pics={image}",
    "douban": "https://www.douban.com/share/service"
    "?href={url}&name={title}&text={description}&image={image}",
    "x": "https://twitter.com/intent/tweet?url={url}&text={title}",
    "facebook": "https://www.facebook.com/sharer/sharer.php?u={url}",
    "linkedin": "https://www.linkedin.com/sharing/share-offsite/?url={url}",
    "email": "mailto:?subject={title}&body={url}",
}

#: Targets shared inside the page (no share URL): the widget only reports them.
IN_PAGE = ("copy", "native")

#: Every target a share may be counted under; each is also a valid scan placement.
ALL = (*TEMPLATES, *IN_PAGE)

PLACEHOLDERS = frozenset({"url", "title", "description", "image"})
_SCHEMES = ("http", "https", "mailto")
_MAX_TEMPLATE = 2048
FIELD_LIMIT = 1000  # characters of a title, description or image passed on to a network


def is_target(name: str) -> bool:
    """True for a target in the table (navigate or in-page)."""
    return name in ALL


def share_url(
    template: str, url: str, title: str = "", description: str = "", image: str = ""
) -> str:
    """``template`` with each placeholder replaced by its value, URL-encoded (nothing left raw)."""
    values = {"url": url, "title": title, "description": description, "image": image}
    encoded = {name: quote(value or "", safe="") for name, value in values.items()}
    return template.format_map(encoded)


def fill(template: str, url: str, args: Mapping[str, str], link: Any = None) -> str:
    """The share URL for ``url``: ``title``, ``description``, ``image`` from the query ``args``,
    else from ``link`` (its stored values), each cut to :data:`FIELD_LIMIT` characters."""

    def field(name: str) -> str:
        value = args.get(name) or (getattr(link, name, None) if link is not None else None)
        return (value or "")[:FIELD_LIMIT]

    return share_url(template, url, field("title"), field("description"), field("image"))


def parse_overrides(value: Any) -> dict[str, str]:
    """``SHARE_TARGET_URLS``: a JSON object ``{target: template}`` (or a dict), checked.

    Empty means none. Only navigate targets may be overridden; a template is
    an absolute ``http(s)`` URL or a ``mailto:`` one, using only the known
    placeholders. Every mistake is a ``ValueError`` naming it.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError('not a JSON object such as {"weibo": "http://..."}') from None
    if not isinstance(value, Mapping):
        raise ValueError('not a JSON object such as {"weibo": "http://..."}')
    out = {}
    for target, template in value.items():
        if target not in TEMPLATES:
            raise ValueError(
                f"{str(target)[:40]!r} is not a navigate target; use one of {', '.join(TEMPLATES)}"
            )
        out[target] = _checked(target, template)
    return out


def _checked(target: str, template: Any) -> str:
    if not isinstance(template, str) or not template or len(template) > _MAX_TEMPLATE:
        raise ValueError(
            f"the template of {target} must be a URL of at most {_MAX_TEMPLATE} characters"
        )
    if re.search(r"[\x00-\x20\x7f]", template):
        raise ValueError(f"the template of {target} contains spaces or control characters")
    try:
        fields = [f for f in Formatter().parse(template) if f[1] is not None]
    except ValueError:  # an unbalanced "{" or "}"
        fields = None
    if fields is None or any(spec or conversion for _, _, spec, conversion in fields):
        # {url!r} or {url:>9} would not be filled in URL-encoded as a whole
        raise ValueError(
            f"the template of {target} has a malformed placeholder; "
            "write {url}, {title}, {description}, {image} plainly"
        )
    unknown = {name for _, name, _, _ in fields} - PLACEHOLDERS
    if unknown:
        raise ValueError(
            f"the template of {target} uses {sorted(unknown)}; "
            "only {url}, {title}, {description}, {image} exist"
        )
    try:
        parts = urlsplit(template.format_map(dict.fromkeys(PLACEHOLDERS, "x")))
    except ValueError:  # e.g. an unbalanced "[" in the host
        parts = None
    if (
        parts is None
        or parts.scheme not in _SCHEMES
        or (parts.scheme != "mailto" and not parts.netloc)
    ):
        raise ValueError(f"the template of {target} must be an http(s):// or mailto: URL")
    return template


def templates(overrides: Mapping[str, str]) -> dict[str, str]:
    """The built-in templates with ``overrides`` (already checked) in their place."""
    return {**TEMPLATES, **overrides}
