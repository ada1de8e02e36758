"""Font discovery for share cards: Noto Sans CJK Regular from a wheel, Bold from Debian.

The text face is Noto Sans CJK (Regular, OFL) from the ``noto-cjk-sans-otc``
wheel, a declared dependency, so every install renders the same glyphs
whatever the host has in /usr/share/fonts. Its Latin glyphs are good enough
that no second font is needed. Characters it lacks (emoji, rare symbols) are
dropped before drawing rather than shown as tofu boxes.

Titles and wordmarks use the real Bold of the same family. No wheel ships it
(the PyPI package is Regular only), so it comes from Debian's
``fonts-noto-cjk`` at the path that package installs (``.ci/run`` installs
it). Without it titles are set in Regular and one warning says why: a
missing optional font must not take cards down. See docs/decisions/0004-cards.md.
"""

from __future__ import annotations

import logging
import unicodedata
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

# Face indices inside NotoSansCJK-Regular.ttc; the SC face gives simplified
# Chinese glyph shapes, the JP face is what Japanese readers expect.
FACES = {"zh": 2, "en": 2, "ja": 0, "ko": 1, "zh-tw": 3, "zh-hk": 4}
_NOT_A_CHARACTER = chr(0x10FFFD)  # private use, never in the font: its glyph is .notdef
# Where Debian's fonts-noto-cjk puts the Bold collection (same face order as the wheel's).
BOLD_PATH = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")

log = logging.getLogger("share.cards")


class FontMissingError(RuntimeError):
    """The font wheel is not installed: a deployment error, not a request error."""


@lru_cache(maxsize=1)
def font_path() -> Path:
    """Where the wheel put its .ttc (found through the package, not a guessed path)."""
    try:
        import noto_cjk_sans_otc
    except ImportError as exc:  # pragma: no cover - the dependency is declared
        raise FontMissingError("install the noto-cjk-sans-otc package") from exc
    path = Path(str(noto_cjk_sans_otc.FONT_PATH))
    if not path.is_file():  # pragma: no cover
        raise FontMissingError(f"font file missing: {path}")
    return path


@lru_cache(maxsize=128)
def font(size: int, lang: str = "zh") -> ImageFont.FreeTypeFont:
    """The card font at ``size`` px for ``lang``; loaded once per size and face."""
    return ImageFont.truetype(str(font_path()), size, index=FACES.get(lang, FACES["zh"]))


@lru_cache(maxsize=1)
def bold_path() -> Path | None:
    """The Bold .ttc, or None (logged once) when the Debian package is not installed."""
    if BOLD_PATH.is_file():
        return BOLD_PATH
    log.warning(
        "card titles are set in Regular: %s is missing (install the Debian package "
        "fonts-noto-cjk for real bold titles)",
        BOLD_PATH,
    )
    return None


@lru_cache(maxsize=128)
def bold_font(size: int, lang: str = "zh") -> ImageFont.FreeTypeFont:
    """The Bold face at ``size`` px for ``lang``; the Regular one when Bold is not installed."""
    path = bold_path()
    if path is None:
        return font(size, lang)
    return ImageFont.truetype(str(path), size, index=FACES.get(lang, FACES["zh"]))


def face(size: int, lang: str = "zh", bold: bool = False) -> ImageFont.FreeTypeFont:
    """:func:`bold_font` or :func:`font`, as a text style asks."""
    return bold_font(size, lang) if bold else font(size, lang)


@lru_cache(maxsize=1)
def _probe() -> tuple[ImageFont.FreeTypeFont, bytes]:
    probe = ImageFont.truetype(
        str(font_path()), 24, index=FACES["zh"], layout_engine=ImageFont.Layout.BASIC
    )
    return probe, bytes(probe.getmask(_NOT_A_CHARACTER))


@lru_cache(maxsize=8192)
def has_glyph(ch: str) -> bool:
    """True when the font draws ``ch`` as something other than the .notdef box."""
    if ch.isspace():
        return True
    probe, notdef = _probe()
    return bytes(probe.getmask(ch)) != notdef


def drawable(text: str) -> str:
    """``text`` with control characters and glyphs the font lacks removed, spaces folded.

    Emoji, variation selectors and zero-width joiners all fall out here, so a
    title such as "🚀 发布了！" draws as "发布了！" instead of boxes.
    """
    kept = []
    for ch in text:
        if ch.isspace():
            kept.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cs") and has_glyph(ch):
            kept.append(ch)
    return " ".join("".join(kept).split())
