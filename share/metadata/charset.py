"""Turning fetched HTML bytes into text: BOM → HTTP header → <meta> prescan → detection.

requests guesses ISO-8859-1 for any text/* without a charset, which turns
every undeclared GBK page into mojibake; so the bytes are decoded here
instead. A declared label is used only if the bytes actually decode with it
(real pages declare gb2312 and ship UTF-8), and the GB family is widened to
gb18030, the superset browsers use.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

PRESCAN_WINDOW = 32 * 1024  # WHATWG says 1024; real pages put <meta> after big scripts
SPACE = b"\t\n\x0c\r "
_ALIASES = {
    **dict.fromkeys(
        (
            "gb2312",
            "gbk",
            "x-gbk",
            "gb_2312",
            "gb_2312-80",
            "chinese",
            "csgb2312",
            "iso-ir-58",
            "cp936",
            "windows-936",
            "ms936",
            "gb18030",
            "euc-cn",
        ),
        "gb18030",
    ),
    **dict.fromkeys(("big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5", "cp950"), "big5hkscs"),
    **dict.fromkeys(
        (
            "iso-8859-1",
            "iso8859-1",
            "latin1",
            "l1",
            "ascii",
            "us-ascii",
            "cp1252",
            "windows-1252",
            "x-cp1252",
            "iso_8859-1",
            "cp819",
            "ibm819",
            "x-user-defined",
        ),
        "windows-1252",
    ),
    **dict.fromkeys(
        ("shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "windows-31j"), "cp932"
    ),
    **dict.fromkeys(("euc-kr", "ks_c_5601-1987", "korean", "windows-949"), "cp949"),
    **dict.fromkeys(("utf8", "unicode-1-1-utf-8", "unicode11utf8", "x-unicode20utf8"), "utf-8"),
}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _c1_fallback(err: UnicodeDecodeError):
    """windows-1252 as browsers do it: the 5 undefined bytes become C1 controls, never an error."""
    return "".join(chr(b) for b in err.object[err.start : err.end]), err.end


codecs.register_error("scanshare-c1", _c1_fallback)


def lookup(label: str | None) -> str | None:
    """The codec for an encoding label, or None for an unknown label."""
    if not label:
        return None
    label = label.strip("\t\n\x0c\r ").lower()
    if not re.fullmatch(r"[a-z0-9._:-]+", label):
        return None  # codecs.lookup would forgive 'utf-8"'; browsers do not
    if label in _ALIASES:
        return _ALIASES[label]
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "windows-1252" if name == "cp1252" else name


def decode(content: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(text, encoding) for an HTML document."""
    for bom, name in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(name, "replace"), name
    header = lookup(header_charset(content_type))
    meta = prescan(content)
    order = [header, meta]
    if header == "windows-1252" and (meta or not content.isascii()):
        # Servlet containers and old Apache configs stamp ISO-8859-1 on everything;
        # a page that says otherwise, or is valid UTF-8, is believed over them.
        order = [meta, "utf-8" if meta is None else None, header]
    for name in order:
        text = _strict(content, name)
        if text is not None:
            return text, name
    text = _strict(content, "utf-8")
    if text is not None:
        return text, "utf-8"
    best = from_bytes(content[:200_000]).best()
    name = lookup(best.encoding) if best is not None else None
    if name and name != "utf-8":
        return content.decode(name, "replace"), name
    return content.decode("utf-8", "replace"), "utf-8"


def _strict(content: bytes, name: str | None) -> str | None:
    if not name:
        return None
    errors = "scanshare-c1" if name == "windows-1252" else "strict"
    try:
        return content.decode(name, errors)
    except (UnicodeDecodeError, LookupError):
        return None


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, if any (never a default)."""
    match = re.search(r";\s*charset\s*=\s*[\"']?([^\s;\"']+)", content_type or "", re.I)
    return match.group(1) if match else None


class _End(Exception):
    """The prescan ran off the end of the bytes."""


def prescan(data: bytes, window: int = PRESCAN_WINDOW) -> str | None:
    """The WHATWG "prescan a byte stream to determine its encoding" algorithm."""
    data = data[:window]
    pos, n = 0, len(data)
    try:
        while pos < n:
            if data.startswith(b"<!--", pos):
                end = data.find(b"-->", pos + 2)
                if end < 0:
                    return None
                pos = end + 2
            elif data[pos : pos + 5].lower() == b"<meta" and data[pos + 5 : pos + 6] in (
                *(bytes([c]) for c in SPACE),
                b"/",
            ):
                pos, found = _meta(data, pos + 5)
                if found:
                    return found
                continue
            elif re.match(rb"</?[A-Za-z]", data[pos : pos + 3]):
                while pos < n and data[pos] not in SPACE + b">":
                    pos += 1
                while True:
                    pos, attr = _attribute(data, pos)
                    if attr is None:
                        break
            elif data[pos : pos + 2] in (b"<!", b"</", b"<?"):
                end = data.find(b">", pos + 2)
                if end < 0:
                    return None
                pos = end
            pos += 1
    except _End:
        return None
    return None


def _meta(data: bytes, pos: int) -> tuple[int, str | None]:
    seen, got_pragma, need_pragma, charset = set(), False, None, None
    while True:
        pos, attr = _attribute(data, pos)
        if attr is None:
            break
        name, value = attr
        if name in seen:
            continue
        seen.add(name)
        if name == "http-equiv" and value == "content-type":
            got_pragma = True
        elif name == "content" and charset is None:
            found = lookup(_from_content(value))
            if found:
                charset, need_pragma = found, True
        elif name == "charset":
            charset, need_pragma = lookup(value), False
    pos += 1
    if need_pragma is None or (need_pragma and not got_pragma) or not charset:
        return pos, None
    if charset.startswith("utf-16"):
        charset = "utf-8"
    return pos, charset


def _byte(data: bytes, pos: int) -> int:
    if pos >= len(data):
        raise _End
    return data[pos]


def _attribute(data: bytes, pos: int) -> tuple[int, tuple[str, str] | None]:
    """WHATWG "get an attribute": (new position, (name, value)) or (position, None)."""
    while _byte(data, pos) in SPACE + b"/":
        pos += 1
    if data[pos] == ord(">"):
        return pos, None
    name = bytearray()
    value = bytearray()
    while True:
        b = _byte(data, pos)
        if b == ord("=") and name:
            pos += 1
            break
        if b in SPACE:
            while _byte(data, pos) in SPACE:
                pos += 1
            if data[pos] != ord("="):
                return pos, (_s(name), "")
            pos += 1
            break
        if b in b"/>":
            return pos, (_s(name), "")
        name.append(b)
        pos += 1
    while _byte(data, pos) in SPACE:
        pos += 1
    b = data[pos]
    if b in b"\"'":
        while True:
            pos += 1
            c = _byte(data, pos)
            if c == b:
                return pos + 1, (_s(name), _s(value))
            value.append(c)
    if b == ord(">"):
        return pos, (_s(name), "")
    while True:
        b = _byte(data, pos)
        if b in SPACE + b">":
            return pos, (_s(name), _s(value))
        value.append(b)
        pos += 1


def _s(raw: bytearray) -> str:
    return raw.decode("latin-1").lower()


def _from_content(value: str) -> str | None:
    """WHATWG "extract a character encoding from a meta element" (content="...; charset=x")."""
    pos = 0
    while True:
        i = value.find("charset", pos)
        if i < 0:
            return None
        pos = i + 7
        rest = value[pos:].lstrip("\t\n\x0c\r ")
        if not rest.startswith("="):
            continue
        rest = rest[1:].lstrip("\t\n\x0c\r ")
        if not rest:
            return None
        if rest[0] in "\"'":
            end = rest.find(rest[0], 1)
            return rest[1:end] if end > 0 else None
        return re.split(r"[\t\n\x0c\r ;]", rest, maxsplit=1)[0] or None
