"""UTM tags on the redirect: templates checked once, a per-link plan built once, filled per scan.

The site default (``SHARE_UTM``) is a query-string template such as
``utm_source={placement}&utm_medium=qr&utm_campaign={tag}``; a link's own
``utm`` object (``source``, ``medium``, ``campaign``, ``term``, ``content``)
overrides the parameter of the same name (``campaign`` -> ``utm_campaign``).
Placeholders: ``{placement}`` (the scan's ``src``), ``{client}`` (wechat,
browser…), ``{tag}`` (the link's first tag) and ``{code}``. A parameter whose
value comes out empty is left out, so ``"campaign": ""`` drops the site's
campaign for one link and ``{tag}`` on an untagged link adds nothing.

The redirect is the hot path, so :func:`plan` does the work when a worker
reads a link (URL split, code and tag filled in, literals URL-encoded) and
:meth:`Plan.location` only joins strings with the two per-scan values.
Parameters the article URL already carries are never overwritten, and its
``#fragment`` stays at the end.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from urllib.parse import parse_qsl, quote, unquote_plus, urlsplit

from share.errors import InputError
from share.links.urls import encodable

PLACEHOLDERS = ("placement", "client", "tag", "code")
PER_SCAN = ("placement", "client")  # filled on every scan; the others when the link is read
KEYS = ("source", "medium", "campaign", "term", "content")
MAX_TEMPLATE = 200
_SLOT = re.compile(r"\{([^{}]*)\}")
_PARAM_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")

#: A compiled template: literal strings and ``("placement",)``-style one-tuples for slots.
Template = tuple[str | tuple[str], ...]
#: Query parameters in order: ``(name, template)``.
Params = tuple[tuple[str, Template], ...]


def compile_template(text: str, field: str) -> Template:
    """``text`` split into literals and placeholders; ``InputError("invalid_utm")`` naming ``field``."""
    if "\x00" in text or not encodable(text):
        raise _bad(field, "contains a NUL or a broken character")
    pieces: list[str | tuple[str]] = []
    pos = 0
    for match in _SLOT.finditer(text):
        _literal(text[pos : match.start()], field, pieces)
        name = match.group(1)
        if name not in PLACEHOLDERS:
            raise _bad(field, f"uses an unknown placeholder {{{name}}}")
        pieces.append((name,))
        pos = match.end()
    _literal(text[pos:], field, pieces)
    return tuple(pieces)


def _literal(text: str, field: str, pieces: list) -> None:
    if "{" in text or "}" in text:
        raise _bad(field, "has a brace that is not around a placeholder")
    if text:
        pieces.append(text)


def _bad(field: str, problem: str) -> InputError:
    names = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
    return InputError("invalid_utm", f"`{field}` {problem}; placeholders are {names}.")


def parse_site(value: object) -> Params | None:
    """The ``SHARE_UTM`` setting as parameters; ``None`` when empty (UTM off).

    Raises ``InputError`` (a ``ValueError``) saying what is wrong, for start-up to report.
    """
    if value is None or isinstance(value, tuple):
        return value or None  # already parsed (a test config passing it through)
    text = str(value).strip()
    if not text:
        return None
    params: list[tuple[str, Template]] = []
    for part in text.split("&"):
        name, eq, raw = part.partition("=")
        name = unquote_plus(name)
        if not eq or not _PARAM_NAME.fullmatch(name):
            raise InputError(
                "invalid_utm",
                f"{part!r} is not name=value with a name of letters, digits, '_', '.' or '-'",
            )
        if any(name == seen for seen, _ in params):
            raise InputError("invalid_utm", f"{name!r} is given twice")
        params.append((name, compile_template(unquote_plus(raw), f"SHARE_UTM {name}")))
    return tuple(params)


def clean_link(value: object) -> dict[str, str] | None:
    """A link's ``utm`` object checked: ``None`` (or ``{}``) clears it; 400 ``invalid_utm`` else."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InputError(
            "invalid_utm", f"`utm` must be an object with keys {', '.join(KEYS)}, or null."
        )
    unknown = sorted(set(value) - set(KEYS))
    if unknown:
        raise InputError(
            "invalid_utm",
            f"`utm` has unknown keys: {', '.join(unknown)}; use {', '.join(KEYS)}.",
        )
    for key, template in value.items():
        field = f"utm.{key}"
        if not isinstance(template, str):
            raise InputError("invalid_utm", f"`{field}` must be a string.")
        if len(template) > MAX_TEMPLATE:
            raise InputError("invalid_utm", f"`{field}` is longer than {MAX_TEMPLATE} characters.")
        compile_template(template, field)
    return {key: value[key] for key in KEYS if key in value} or None


def dumps(utm: dict[str, str] | None) -> str | None:
    """The ``links.utm`` column's text for a cleaned object."""
    return json.dumps(utm, ensure_ascii=False, sort_keys=True) if utm else None


def loads(text: str | None) -> dict[str, str] | None:
    """The object stored in ``links.utm``; ``None`` when unset (or unreadable)."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) and value else None


def merged(site: Params | None, link: Mapping[str, str] | None) -> Params:
    """The site's parameters with the link's ``utm_<key>`` replacing or joining them."""
    params = dict(site or ())
    for key, template in (link or {}).items():
        params[f"utm_{key}"] = compile_template(template, f"utm.{key}")
    return tuple(params.items())


class Plan:
    """A link's redirect URL with its UTM parameters, waiting only for placement and client."""

    __slots__ = ("fixed", "head", "parts", "tail")

    def __init__(self, head: str, parts: list, tail: str):
        self.head, self.tail = head, tail
        self.parts = tuple(parts)
        dynamic = any(isinstance(p, tuple) for p in self.parts)
        self.fixed = None if dynamic else head + "".join(self.parts) + tail

    def location(self, placement: str, client: str) -> str:
        """The ``Location`` for one scan."""
        if self.fixed is not None:
            return self.fixed
        values = {"placement": placement, "client": client}
        out = [self.head]
        for part in self.parts:
            out.append(quote(values[part[0]], safe="") if isinstance(part, tuple) else part)
        out.append(self.tail)
        return "".join(out)


def plan(url: str, code: str, params: Params, tag: str = "") -> Plan | None:
    """Where a scan of ``code`` goes with ``params`` added; ``None`` when nothing is added."""
    if not params:
        return None
    base, hashmark, fragment = url.partition("#")
    try:
        present = {name for name, _ in parse_qsl(urlsplit(base).query, keep_blank_values=True)}
    except ValueError:
        present = set()
    known = {"code": code, "tag": tag}
    parts: list[str | tuple[str]] = []
    for name, template in params:
        if name in present:
            continue  # the article's own utm_* win
        value: list[str | tuple[str]] = []
        for piece in template:
            if isinstance(piece, tuple) and piece[0] not in PER_SCAN:
                piece = known[piece[0]]
            if isinstance(piece, tuple):
                value.append(piece)
            elif piece:
                value.append(quote(piece, safe=""))
        if not value:
            continue  # empty once filled in: left out
        parts.append(f"{'&' if parts else ''}{quote(name, safe='')}=")
        parts.extend(value)
    if not parts:
        return None
    sep = "" if base.endswith(("?", "&")) else ("&" if "?" in base else "?")
    return Plan(base + sep, parts, hashmark + fragment)


def for_link(
    url: str | None,
    code: str,
    link_id: int,
    site: Params | None,
    stored: str | None,
    tag_of: Callable[[int], str],
) -> Plan | None:
    """The plan of a link as the redirect reads it (``stored``: the ``links.utm`` text).

    ``tag_of(link_id)`` gives the link's first tag; it is asked only when a template uses it.

    Never raises for a stored template that no longer passes the rules: the
    site default alone applies then, and the reader is still redirected.
    """
    if not url or not (site or stored):
        return None
    try:
        params = merged(site, loads(stored))
    except ValueError:
        params = merged(site, None)
    uses_tag = any(piece == ("tag",) for _, template in params for piece in template)
    return plan(url, code, params, tag_of(link_id) if uses_tag else "")
