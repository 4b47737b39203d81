"""An SVG badge per label: the profile on the left, its status as a word on the right.

The badge names its status in text and in its title (read by screen readers), so the colour
is never the only signal; white text on these colours has a contrast of at least 4.5:1.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

STATUS_COLOURS = {
    "awarded": "#116329",
    "suspended": "#7d4e00",
    "withdrawn": "#a40e26",
    "expired": "#424a53",
    "none": "#424a53",
}
LEFT_COLOUR = "#24292f"
# DejaVu Sans / Verdana at 11 px are about this wide per character.
CHAR_WIDTH = 6.8
PADDING = 6


def _width(text: str) -> int:
    return int(len(text) * CHAR_WIDTH + 2 * PADDING)


def badge_svg(left: str, status: str, title: str) -> str:
    right = status
    colour = STATUS_COLOURS.get(status, STATUS_COLOURS["none"])
    lw, rw = _width(left), _width(right)
    total = lw + rw
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="badge" width="{total}" height="20" '
        f'viewBox="0 0 {total} 20" role="img" aria-label={quoteattr(title)}>'
        f"<title>{escape(title)}</title>"
        f'<rect width="{lw}" height="20" fill="{LEFT_COLOUR}"/>'
        f'<rect x="{lw}" width="{rw}" height="20" fill="{colour}"/>'
        '<g fill="#ffffff" font-family="DejaVu Sans,Verdana,Geneva,sans-serif" font-size="11" '
        'text-anchor="middle">'
        f'<text x="{lw / 2:.1f}" y="14">{escape(left)}</text>'
        f'<text x="{lw + rw / 2:.1f}" y="14">{escape(right)}</text>'
        "</g></svg>"
    )


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    a, b = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)
