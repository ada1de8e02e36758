"""Parsing query parameters into validated option objects.

Renderers never see raw query strings: each image route turns its arguments
into a frozen options object first, and a bad value raises
:class:`OptionError` naming the parameter, which the web layer answers
with a 400.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .errors import InputError

_COLOUR = re.compile(r"#?([0-9a-fA-F]{6})")


class OptionError(InputError):
    """A query parameter is malformed or out of range (code ``invalid_<param>``)."""

    def __init__(self, param: str, message: str):
        super().__init__(f"invalid_{param}", message)
        self.param = param


def int_param(args: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    """``args[name]`` as plain digits within ``[lo, hi]``; absent or empty is ``default``.

    Anything else raises :class:`OptionError` naming ``name``.
    """
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[0-9]{1,6}", raw):
        raise OptionError(name, f"`{name}` must be a whole number from {lo} to {hi}.")
    value = int(raw)
    if not lo <= value <= hi:
        raise OptionError(name, f"`{name}` must be from {lo} to {hi} (got {value}).")
    return value


def choice_param(
    args: Mapping[str, str],
    name: str,
    default: str,
    choices: tuple[str, ...],
    *,
    fold_case: bool = True,
) -> str:
    """``args[name]`` if it is one of ``choices``; absent or empty is ``default``.

    With ``fold_case`` the value takes the case of ``choices[0]`` first, so ``ec=h`` reads as ``H``.
    Anything else raises :class:`OptionError` naming ``name``.
    """
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    value = raw.upper() if fold_case and choices[0].isupper() else raw
    if fold_case and choices[0].islower():
        value = raw.lower()
    if value not in choices:
        raise OptionError(name, f"`{name}` must be one of {', '.join(choices)}.")
    return value


def colour_param(
    args: Mapping[str, str], name: str, default: tuple[int, int, int]
) -> tuple[int, int, int]:
    """``RRGGBB`` (a leading ``#`` allowed) as an RGB tuple; absent or empty is ``default``.

    Anything else raises :class:`OptionError` naming ``name``.
    """
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    match = _COLOUR.fullmatch(raw)
    if not match:
        raise OptionError(name, f"`{name}` must be a colour written RRGGBB, e.g. 1a1a1a.")
    hexa = match.group(1)
    return (int(hexa[0:2], 16), int(hexa[2:4], 16), int(hexa[4:6], 16))


def contrast_ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast ratio of two sRGB colours (1 = identical, 21 = black/white)."""

    def luminance(rgb: tuple[int, int, int]) -> float:
        def channel(c: int) -> float:
            s = c / 255
            return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

        r, g, bl = (channel(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * bl

    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
