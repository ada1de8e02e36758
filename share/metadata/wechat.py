"""WeChat official-account articles (mp.weixin.qq.com) keep their metadata in script variables.

Their pages carry `var msg_title = '...'.html(false);`, `var msg_desc =
htmlDecode("...")` and `var msg_cdn_url = "..."` (the cover image); og tags
are missing or generic on many of them.
"""

from __future__ import annotations

import html
import json
import re

_VARS = {"title": "msg_title", "description": "msg_desc", "image": "msg_cdn_url"}


def wechat_fields(text: str) -> dict[str, str]:
    """{"title", "description", "image"} found in the page's script variables."""
    found = {}
    for field, var in _VARS.items():
        match = re.search(
            rf"\b{var}\s*=\s*(?:htmlDecode\(\s*)?(['\"])((?:\\.|(?!\1).)*)\1", text, re.S
        )
        if match:
            value = html.unescape(_js_unescape(match.group(2))).strip()
            if value:
                found[field] = value
    return found


def _js_unescape(value: str) -> str:
    """JS string escapes (\\x26, \\u4e2d, \\', \\n) as JSON would read them."""
    value = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: f"\\u00{m.group(1)}", value)
    value = re.sub(r"\\(['/])", r"\1", value)
    try:
        return json.loads(f'"{value}"')
    except json.JSONDecodeError:
        return value
