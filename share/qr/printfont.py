"""The caption font of PDF print files: Noto Sans CJK cut down to the characters a file prints.

The wheel's collection (see :mod:`share.cards.fonts`) holds about 65,000
CFF glyphs a face; parsing it and subsetting it for one PDF takes about a
second. So the face is subset once per set of characters (printable ASCII,
which covers every short URL, plus the caption's own characters) and the
small font, about 12 KB, is kept in memory: the default captions cost that
second once per process, a custom caption once per caption. The PDF library
subsets this small font again and embeds it (CID-keyed CFF), so the text
stays text: selectable, searchable and extracted by ``pdftotext``.

The PDF library only takes a font *path*, so each render gets its own
temporary copy, removed when the file is written; nothing is shared on disk.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from share.cards import fonts

ASCII = "".join(chr(c) for c in range(32, 127))


@lru_cache(maxsize=64)
def subset_font(face: int, extra: str) -> bytes:
    """Face ``face`` of the wheel's collection reduced to ASCII and ``extra``, as OTF bytes."""
    from fontTools import subset, ttLib

    options = subset.Options()
    options.layout_features = []  # no shaping is applied to captions
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=ASCII + extra)
    buf = io.BytesIO()
    with ttLib.TTFont(str(fonts.font_path()), fontNumber=face, lazy=True) as font:
        subsetter.subset(font)
        font.save(buf)
    return buf.getvalue()


@contextmanager
def font_file(lang: str, text: str) -> Iterator[Path]:
    """A temporary OTF file holding every character of ``text`` in the face for ``lang``."""
    extra = "".join(sorted({ch for ch in text if ch not in ASCII}))
    data = subset_font(fonts.FACES.get(lang, fonts.FACES["zh"]), extra)
    with tempfile.NamedTemporaryFile(prefix="scanshare-", suffix=".otf") as handle:
        handle.write(data)
        handle.flush()
        yield Path(handle.name)
