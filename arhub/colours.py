"""Which text colour reads on an organization's brand colour (WCAG 2 contrast)."""

from __future__ import annotations

import re

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
LIGHT_TEXT = "#ffffff"
DARK_TEXT = "#111418"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_colour_on(background: str) -> str:
    """White or near-black, whichever contrasts more, so a pale brand colour still has
    readable button labels."""
    if not HEX_COLOUR.fullmatch(background):
        return LIGHT_TEXT
    light = contrast_ratio(background, LIGHT_TEXT)
    dark = contrast_ratio(background, DARK_TEXT)
    return LIGHT_TEXT if light >= dark else DARK_TEXT
