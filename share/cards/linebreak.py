"""Line breaking that a Chinese reader accepts, for text drawn with Pillow.

Pillow draws one line at a time and knows nothing about where a line may end,
so this module decides. The rules are the simple core of kinsoku shori (JIS X
4051 / W3C clreq): CJK text may break between any two characters, except that
closing punctuation never starts a line and opening punctuation never ends
one; Latin words stay whole, and a word wider than the line is cut by
characters rather than overflowing. Text that must be cut is ended with an
ellipsis.

The module is pure: the caller passes a ``measure(text) -> width`` function,
so tests can drive it without fonts and the renderer can use any font.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# Never at the start of a line (W3C clreq "prohibition rules", plus ASCII).
CLOSING = frozenset(
    "，。、．！？：；）」』》〉】〕〗〙〛］｝”’…‥·・ー々ゝゞヽヾ〜～％"
    "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
    ",.!?:;)]}%"
)
# Never at the end of a line.
OPENING = frozenset("（「『《〈【〔〖〘〚［｛“‘([{$£¥￥＄")
# Characters that must not be split from an identical neighbour (—— and ……).
INSEPARABLE = frozenset("—…‥")
ELLIPSIS = "…"
# Trimmed before an ellipsis is appended, so a cut never reads "，…".
_TRIM_BEFORE_ELLIPSIS = " ，、：；,;:" + "".join(OPENING)


def is_cjk(ch: str) -> bool:
    """True for characters that allow a break on either side (ideographs, kana, …)."""
    cp = ord(ch)
    return (
        0x2E80 <= cp <= 0x9FFF  # radicals, CJK punctuation, kana, ideographs
        or 0xAC00 <= cp <= 0xD7AF  # Hangul syllables
        or 0xF900 <= cp <= 0xFAFF  # compatibility ideographs
        or 0xFE30 <= cp <= 0xFE4F  # CJK compatibility forms
        or 0xFF00 <= cp <= 0xFFEF  # full-width forms
        or 0x20000 <= cp <= 0x3FFFF  # ideograph extensions
        or ch in "“”‘’—…‥·"
    )


@dataclass
class _Unit:
    """Text that is never broken inside (unless it alone is wider than a line)."""

    text: str
    space: str = ""  # the whitespace after it: a break opportunity


def units(text: str) -> list[_Unit]:
    """Split ``text`` into unbreakable units, gluing punctuation to its neighbours."""
    raw: list[_Unit] = []
    word = ""
    for ch in text:
        if ch.isspace():
            if word:
                raw.append(_Unit(word))
                word = ""
            if raw:
                raw[-1].space = " "
        elif is_cjk(ch):
            if word:
                raw.append(_Unit(word))
                word = ""
            raw.append(_Unit(ch))
        else:
            word += ch
    if word:
        raw.append(_Unit(word))
    glued: list[_Unit] = []
    for unit in raw:
        prev = glued[-1] if glued else None
        if prev is not None and _no_break_between(prev.text, unit.text):
            prev.text += prev.space + unit.text
            prev.space = unit.space
        else:
            glued.append(unit)
    return glued


def _no_break_between(before: str, after: str) -> bool:
    """Kinsoku holds across a stray space too: "Python …" must not put "…" first."""
    first, last = after[0], before[-1]
    return first in CLOSING or last in OPENING or (first == last and first in INSEPARABLE)


def wrap(
    text: str,
    width: float,
    measure: Callable[[str], float],
    max_lines: int | None = None,
) -> list[str]:
    """Break ``text`` into lines no wider than ``width``; cut with "…" past ``max_lines``."""
    cache: dict[str, float] = {}

    def w(s: str) -> float:
        if s not in cache:
            cache[s] = measure(s)
        return cache[s]

    lines: list[str] = []
    line, line_w = "", 0.0
    for unit in units(text):
        unit_w = w(unit.text)
        if line and line_w + unit_w > width:
            lines.append(line.rstrip())
            line, line_w = "", 0.0
        if not line and unit_w > width:
            chunks = _split_long(unit.text, width, w)
            lines.extend(chunks[:-1])
            line, unit_w = chunks[-1], w(chunks[-1])
        else:
            line += unit.text
        line += unit.space
        line_w += unit_w + (w(unit.space) if unit.space else 0.0)
        if max_lines is not None and len(lines) > max_lines:
            break
    if line.strip():
        lines.append(line.rstrip())
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _ellipsize(lines[-1], width, w)
    return lines


def _split_long(word: str, width: float, w: Callable[[str], float]) -> list[str]:
    """Cut a unit wider than the line by characters, still keeping kinsoku where possible."""
    chunks: list[str] = []
    chunk = ""
    for ch in word:
        if chunk.strip() and w(chunk + ch) > width:
            cut = _last_allowed_cut(chunk + ch)
            chunks.append(chunk[:cut].rstrip())
            chunk = chunk[cut:].lstrip()
        chunk += ch
    chunks.append(chunk)
    return chunks


def _last_allowed_cut(text: str) -> int:
    """The last index i > 0 where a line may end before text[i]; else just before the end."""
    for i in range(len(text) - 1, 0, -1):
        if text[i] not in CLOSING and not text[i].isspace() and text[i - 1] not in OPENING:
            return i
    return len(text) - 1


def _ellipsize(line: str, width: float, w: Callable[[str], float]) -> str:
    """End ``line`` with "…", dropping characters until it fits."""
    line = line.rstrip(_TRIM_BEFORE_ELLIPSIS)
    while line and w(line + ELLIPSIS) > width:
        line = line[:-1].rstrip(_TRIM_BEFORE_ELLIPSIS)
    return line + ELLIPSIS
