"""Plane geometry for the drawing: smooth paths through points, mirroring, point-in-outline."""

from __future__ import annotations

from collections.abc import Sequence

XY = tuple[float, float]
"""A point in a view's own millimetres: x to the right, y down."""


def smooth_path(points: Sequence[XY], *, closed: bool = True, tension: float = 1.0) -> str:
    """An SVG path through every point, as cubic Béziers (Catmull-Rom), so outlines are drawn as data."""
    n = len(points)
    if n < 2:
        return ""
    pts = list(points)

    def at(i: int) -> XY:
        if closed:
            return pts[i % n]
        return pts[min(max(i, 0), n - 1)]

    out = [f"M{_f(pts[0][0])} {_f(pts[0][1])}"]
    segments = n if closed else n - 1
    k = tension / 6
    for i in range(segments):
        p0, p1, p2, p3 = at(i - 1), at(i), at(i + 1), at(i + 2)
        c1 = (p1[0] + (p2[0] - p0[0]) * k, p1[1] + (p2[1] - p0[1]) * k)
        c2 = (p2[0] - (p3[0] - p1[0]) * k, p2[1] - (p3[1] - p1[1]) * k)
        out.append(f"C{_f(c1[0])} {_f(c1[1])} {_f(c2[0])} {_f(c2[1])} {_f(p2[0])} {_f(p2[1])}")
    return "".join(out) + ("Z" if closed else "")


def mirror(points: Sequence[XY], width: float) -> list[XY]:
    """The same points seen from the other side: x becomes ``width - x``."""
    return [(width - x, y) for x, y in points]


def inside(point: XY, outline: Sequence[XY]) -> bool:
    """Whether ``point`` lies inside the closed polygon ``outline`` (even-odd rule)."""
    x, y = point
    hit = False
    n = len(outline)
    for i in range(n):
        (x1, y1), (x2, y2) = outline[i], outline[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def along(a: XY, b: XY, t: float) -> XY:
    """The point a fraction ``t`` of the way from ``a`` to ``b``."""
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def x_at(a: XY, b: XY, y: float) -> float:
    """Where the line through ``a`` and ``b`` crosses the height ``y``."""
    if b[1] == a[1]:
        return a[0]
    return a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1])


def _f(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")
