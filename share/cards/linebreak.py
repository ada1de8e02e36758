"""Line breaking that a Chinese reader accepts, for text drawn with Pillow.

Pillow draws one line at a time and knows nothing about where a line may end,
so this module decides. The rules are the simple core of kinsoku shori (JIS X
4051 / W3C clreq): CJK text may break between any two characters, except that
closing punctuation never starts a line and opening punctuation never ends
one; Latin words stay whole, and a word wider than the line is cut by
characters rather than overflowing. Text that must be cut is ended with an
ellipsis, and a last line of one or two characters ("说。") takes units from
the line above when that fits, so a headline never ends on a widow.

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
# A last line shorter than this ("说。") is rebalanced when it can be.
MIN_LAST_LINE = 3
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
    min_last: int = MIN_LAST_LINE,
) -> list[str]:
    """Break ``text`` into lines no wider than ``width``; cut with "…" past ``max_lines``.

    Lines are filled greedily; then, if the last line holds fewer than
    ``min_last`` characters (a lone "说。"), units move down from the line
    above until it does, provided that fits without adding a line.
    """
    cache: dict[str, float] = {}

    def w(s: str) -> float:
        if s not in cache:
            cache[s] = measure(s)
        return cache[s]

    pieces = _pieces(units(text), width, w)
    limit = None if max_lines is None else max_lines + 1
    lines = _greedy(pieces, width, w, limit)
    if max_lines is not None and len(lines) > max_lines:
        kept = [_join(pieces[a:b]) for a, b in lines[:max_lines]]
        kept[-1] = _ellipsize(kept[-1], width, w)
        return kept
    lines = _rebalance(pieces, lines, width, w, min_last)
    return [_join(pieces[a:b]) for a, b in lines]


def _pieces(found: list[_Unit], width: float, w: Callable[[str], float]) -> list[_Unit]:
    """The units, with any unit wider than the line cut into chunks that fit (no space between)."""
    out: list[_Unit] = []
    for unit in found:
        if w(unit.text) <= width:
            out.append(unit)
            continue
        chunks = _split_long(unit.text, width, w)
        out.extend(_Unit(chunk) for chunk in chunks[:-1])
        out.append(_Unit(chunks[-1], unit.space))
    return out


def _span_width(pieces: list[_Unit], w: Callable[[str], float]) -> float:
    """Width of pieces set on one line: their text plus the spaces between them."""
    total = sum(w(p.text) for p in pieces)
    return total + sum(w(p.space) for p in pieces[:-1] if p.space)


def _greedy(
    pieces: list[_Unit], width: float, w: Callable[[str], float], limit: int | None
) -> list[tuple[int, int]]:
    """Fill each line as far as it goes: ``(start, end)`` index ranges into ``pieces``.

    Stops after ``limit`` lines (enough to know the text must be cut).
    """
    lines: list[tuple[int, int]] = []
    start, line_w = 0, 0.0
    for i, piece in enumerate(pieces):
        piece_w = w(piece.text)
        if i > start and line_w + piece_w > width:
            lines.append((start, i))
            if limit is not None and len(lines) >= limit:
                return lines
            start, line_w = i, 0.0
        line_w += piece_w + (w(piece.space) if piece.space else 0.0)
    if start < len(pieces):
        lines.append((start, len(pieces)))
    return [(a, b) for a, b in lines if _join(pieces[a:b])]


def _rebalance(
    pieces: list[_Unit],
    lines: list[tuple[int, int]],
    width: float,
    w: Callable[[str], float],
    min_last: int,
) -> list[tuple[int, int]]:
    """Move units from the second-last line down until the last has ``min_last`` characters.

    Greedy filling used the fewest lines, so the last line may start at any
    unit boundary of the line above as long as it still fits: the line above
    only gets shorter. Breaks stay at unit boundaries, so kinsoku holds.
    """
    if len(lines) < 2 or _chars(pieces, *lines[-1]) >= min_last:
        return lines
    (above_start, _), (start, end) = lines[-2], lines[-1]
    for new_start in range(start - 1, above_start, -1):
        if _span_width(pieces[new_start:end], w) > width:
            break
        if _chars(pieces, new_start, end) >= min_last:
            return [*lines[:-2], (above_start, new_start), (new_start, end)]
    return lines


def _chars(pieces: list[_Unit], start: int, end: int) -> int:
    """Visible characters (spaces not counted) in ``pieces[start:end]``."""
    return sum(len(p.text.replace(" ", "")) for p in pieces[start:end])


def _join(pieces: list[_Unit]) -> str:
    return "".join(p.text + p.space for p in pieces).strip()


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
