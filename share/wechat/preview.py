"""How WeChat will show a link in a chat, and what to fix before publishing.

WeChat's chat card for a shared link is a title over two lines, a summary
over three lines beside a square thumbnail (the image centre-cropped). What
does not fit is cut with "…". The line lengths are WeChat's on a typical
phone (about 13 Chinese characters a title line, 12 a summary line; Latin
letters and digits are about half as wide), so the cut shown is where WeChat
usually cuts, not a promise for every screen.

:func:`preview` builds the card and the lint list from what the service
knows of the article; :func:`probe_image` measures the thumbnail through the
safe fetcher (the image's size is the one fact not stored). Nothing here
imports Flask; the messages are English keys the dashboard translates.
"""

from __future__ import annotations

import dataclasses
import io
import unicodedata
from dataclasses import dataclass

from PIL import Image

from share.cards.imagesafety import sniff
from share.fetch import FetchError, FetchPolicy, fetch

#: Width units (a Chinese character is 1, a Latin letter ½) WeChat shows of a title: 2 lines.
TITLE_UNITS = 26.0
#: Of a summary: 3 lines beside the thumbnail.
SUMMARY_UNITS = 36.0
#: WeChat wants a thumbnail at least this many pixels on its short side.
MIN_IMAGE_SIDE = 300
#: Seconds the thumbnail probe may take (an editor is waiting for the page).
PROBE_SECONDS = 3.0


@dataclass(frozen=True)
class ImageCheck:
    """What the thumbnail turned out to be: ``ok``, ``missing``, ``unreachable``, ``unreadable``,
    or ``checking`` while its measurement is still on its way."""

    status: str
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class Problem:
    """One thing to fix: a code, an English sentence (a translation key) and its values."""

    code: str
    message: str
    values: dict = dataclasses.field(default_factory=dict)


def units(text: str) -> float:
    """The width of ``text`` in WeChat's card, in Chinese-character units."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def cut(text: str, limit: float) -> tuple[str, bool]:
    """``text`` as the card shows it within ``limit`` units, and whether it was cut."""
    text = " ".join(text.split())
    if units(text) <= limit:
        return text, False
    shown, used = [], 0.0
    for ch in text:
        width = units(ch)
        if used + width > limit - 1:  # room for the "…"
            break
        shown.append(ch)
        used += width
    return "".join(shown).rstrip() + "…", True


def probe_image(url: str | None, policy: FetchPolicy) -> ImageCheck:
    """Fetch the thumbnail (safely, briefly) and read its size from its header only."""
    if not url:
        return ImageCheck("missing")
    quick = dataclasses.replace(policy, deadline=min(policy.deadline, PROBE_SECONDS))
    try:
        data = fetch(url, quick, kind="image").content
    except FetchError:
        return ImageCheck("unreachable")
    if sniff(data) is None:
        return ImageCheck("unreadable")
    try:
        with Image.open(io.BytesIO(data)) as im:  # reads the header, decodes nothing
            width, height = im.size
    except Exception:  # noqa: BLE001 - Pillow raises many types for corrupt headers
        return ImageCheck("unreadable")
    return ImageCheck("ok", width, height)


def preview(
    *,
    title: str | None,
    description: str | None,
    image: str | None,
    image_check: ImageCheck,
    fetch_error: str | None,
    signature_on: bool,
    host_allowed: bool,
) -> dict:
    """The chat card WeChat will show, and the problems to fix, most serious first."""
    shown_title, title_cut = cut(title or "", TITLE_UNITS)
    shown_summary, summary_cut = cut(description or "", SUMMARY_UNITS)
    problems: list[Problem] = []
    if fetch_error:
        problems.append(
            Problem(
                "page_unreachable",
                "The article could not be fetched ({reason}): WeChat will not read it either.",
                {"reason": fetch_error},
            )
        )
    if not host_allowed:
        problems.append(
            Problem(
                "host_not_allowed",
                "The article's host is not in SHARE_ALLOWED_HOSTS: the widget cannot register "
                "or sign its pages.",
            )
        )
    if not signature_on:
        problems.append(
            Problem(
                "jssdk_not_configured",
                "WeChat's JS-SDK is not configured (SHARE_WECHAT_APP_ID): shared from inside "
                "WeChat, the article shows as a bare link with a generic icon.",
            )
        )
    problems.extend(_image_problems(image_check))
    if not (title or "").strip():
        problems.append(Problem("no_title", "The article has no title: WeChat shows its URL."))
    elif title_cut:
        problems.append(
            Problem(
                "title_long",
                "The title is cut after about {n} characters in a chat; put what matters first.",
                {"n": int(TITLE_UNITS)},
            )
        )
    if not (description or "").strip():
        problems.append(
            Problem("no_summary", "The article has no summary: the card shows its URL instead.")
        )
    elif summary_cut:
        problems.append(
            Problem(
                "summary_long",
                "The summary is cut after about {n} characters in a chat.",
                {"n": int(SUMMARY_UNITS)},
            )
        )
    return {
        "title": shown_title,
        "title_cut": title_cut,
        "summary": shown_summary,
        "summary_cut": summary_cut,
        "image": image if image_check.status == "ok" else None,
        "image_size": [image_check.width, image_check.height] if image_check.width else None,
        "problems": problems,
    }


def _image_problems(check: ImageCheck) -> list[Problem]:
    if check.status == "missing":
        return [
            Problem(
                "no_image",
                "The article has no image: WeChat shows a generic icon. Give the page an "
                "og:image of at least {n}×{n} px.",
                {"n": MIN_IMAGE_SIDE},
            )
        ]
    if check.status == "unreachable":
        return [
            Problem(
                "image_unreachable",
                "The article's image could not be fetched: WeChat will show a generic icon.",
            )
        ]
    if check.status == "checking":
        return [
            Problem(
                "image_checking",
                "The article's image is still being measured; reload the page in a moment.",
            )
        ]
    if check.status == "unreadable":
        return [
            Problem(
                "image_unreadable",
                "The article's image is not a PNG, JPEG, GIF or WebP picture WeChat can show.",
            )
        ]
    if min(check.width, check.height) < MIN_IMAGE_SIDE:
        return [
            Problem(
                "image_small",
                "The image is {w}×{h} px: WeChat wants at least {n} px on the short side, or "
                "it looks blurred.",
                {"w": check.width, "h": check.height, "n": MIN_IMAGE_SIDE},
            )
        ]
    return []
