"""SVG to PNG through resvg (resvg-py: a self-contained wheel, no system libraries)."""

from __future__ import annotations

import re
from typing import Final

from ..errors import ChartError

MIN_LONG_SIDE: Final = 1000
"""The chart's PNG is at least this many pixels on its long side."""


def to_png(svg: str, long_side: int = 1400) -> bytes:
    """Render ``svg`` to PNG bytes, scaled so its long side is ``long_side`` pixels."""
    try:
        import resvg_py
    except ImportError:
        raise ChartError("PNG charts need resvg-py: pip install resvg-py (or write an .svg)") from None
    match = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    if match is None:
        raise ChartError("not a chart SVG (no viewBox)")
    w, h = float(match.group(1)), float(match.group(2))
    size = {"width": long_side} if w >= h else {"height": long_side}
    try:
        return bytes(resvg_py.svg_to_bytes(svg_string=svg, background="#ffffff", **size))
    except ValueError as exc:
        raise ChartError(f"could not draw the chart: {exc}") from None
