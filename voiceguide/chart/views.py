"""One view of the foot as SVG: its outline, landmarks and the session's markers with their callout labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Final
from unicodedata import east_asian_width

from ..words import Words
from .foot import View
from .items import Item
from .shapes import XY, smooth_path

SCALE: Final = 2.4
"""Drawing pixels per millimetre of foot."""
FONT: Final = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"
INK: Final = "#111"
SOFT: Final = "#666"
FILL: Final = "#ffd54a"
"""Marker fill: bright on a screen, a light grey in black-and-white print, black numbers readable on both."""
LABEL_SIZE: Final = 25
LABEL_GAP: Final = 60
"""Vertical room per callout label (two lines)."""
TITLE_ROOM: Final = 40
MARKER_R: Final = 15.0
BELOW_ROOM: Final = 92.0
"""Room under a side view for its labels."""


@dataclass(frozen=True)
class Marker:
    """A point to mark in a view: where, its number(s) and label."""

    at: XY
    numbers: tuple[int, ...]
    code: str
    name: str
    highlight: bool = False


def markers(view: View, items: Sequence[Item], highlight: int | None) -> list[Marker]:
    """The session's points drawn in ``view``; a point worked twice gets one marker with both numbers."""
    by_code: dict[str, list[Item]] = {}
    for item in items:
        if item.location is not None and item.location.view == view.key:
            by_code.setdefault(item.code, []).append(item)
    return [
        Marker(
            group[0].location.at,  # type: ignore[union-attr]
            tuple(i.number for i in group),
            code,
            group[0].step.name,
            highlight in {i.number for i in group},
        )
        for code, group in by_code.items()
    ]


def label_width(marks: Sequence[Marker]) -> float:
    """Room the widest callout label needs beside a view (an estimate from the character count)."""
    longest = max((max(ems(m.code), ems(m.name)) for m in marks), default=0)
    return max(110.0, longest * LABEL_SIZE + 30)


def ems(text: str) -> float:
    """About how wide ``text`` is, in font sizes: a Latin letter is about 0.6, a Chinese character 1."""
    return sum(1.0 if east_asian_width(c) in "WF" else 0.6 for c in text)


def _below(view: View) -> bool:
    # Side views are wide and their points lie along the sole's edge and round the ankle: labels go below,
    # in the order of the points from left to right, so no two leader lines cross.
    return view.size[0] > view.size[1]


def _margins(view: View, marks: Sequence[Marker]) -> tuple[float, float]:
    """(room on each side, room below) for the labels."""
    if not _below(view):
        return label_width(marks), 0.0
    need = len(marks) * label_width(marks) - view.size[0] * SCALE
    return max(40.0, need / 2 + 20), (BELOW_ROOM if marks else 0.0)


def panel_size(view: View, marks: Sequence[Marker]) -> XY:
    """Width and height of the panel drawing ``view``: the foot, its title and room for its labels."""
    side, below = _margins(view, marks)
    return view.size[0] * SCALE + 2 * side, view.size[1] * SCALE + TITLE_ROOM + 10 + below


def panel(view: View, marks: Sequence[Marker], x0: float, y0: float, words: Words) -> str:
    """The SVG of one panel with its top-left corner at (x0, y0), its words from ``words``."""
    side, _below_room = _margins(view, marks)
    fx, fy = x0 + side, y0 + TITLE_ROOM
    width, height = view.size[0] * SCALE, view.size[1] * SCALE
    out = [
        f'<text x="{fx + width / 2:.1f}" y="{y0 + 26:.1f}" font-size="24" font-weight="bold" '
        f'text-anchor="middle" fill="{INK}">{escape(words.shown(f"view_{view.key}"))}</text>',
        f'<g transform="translate({fx:.1f} {fy:.1f}) scale({SCALE})">',
        _foot(view, words),
        "</g>",
    ]
    if _below(view):
        out += _callouts_below(marks, fx, fy, width, height, side)
    else:
        out += _callouts(view, marks, fx, fy, width, height)
    return "\n".join(out)


def _foot(view: View, words: Words) -> str:
    parts = [
        f'<path d="{smooth_path(view.outline)}" fill="#fff" stroke="none"/>',
    ]
    for lm in view.landmarks.values():
        parts.append(_landmark(lm.style, lm.points, lm.radius))
    # A cut outline leaves the leg open: the curve runs along the foot only, the cut is a dotted break.
    parts.append(
        f'<path d="{smooth_path(view.outline, closed=not view.cut)}" fill="none" stroke="{INK}" '
        'stroke-width="1.15" stroke-linejoin="round" stroke-linecap="round"/>'
    )
    if view.cut:
        (ax, ay), (bx, by) = view.outline[-1], view.outline[0]
        parts.append(
            f'<path d="M{ax} {ay}L{bx} {by}" stroke="{SOFT}" stroke-width="0.6" stroke-dasharray="2 2.5" fill="none"/>'
        )
    for lm in view.landmarks.values():
        if lm.label:
            parts.append(_landmark_label(words.shown(f"landmark_{lm.label}"), lm.points, lm.radius))
    return "\n".join(parts)


_STYLES: Final[dict[str, str]] = {
    "bone": f'fill="none" stroke="{SOFT}" stroke-width="0.55" stroke-dasharray="2.2 1.6"',
    "tendon": 'fill="none" stroke="#b4b4b4" stroke-width="0.45"',
    "skin": f'fill="none" stroke="{SOFT}" stroke-width="0.6" stroke-linecap="round"',
    "nail": f'fill="#f2f2f2" stroke="{SOFT}" stroke-width="0.55"',
    "pad": 'fill="none" stroke="#aaa" stroke-width="0.5"',
}


def _landmark(style: str, points: Sequence[XY], radius: float) -> str:
    attrs = _STYLES[style]
    if radius:
        (x, y) = points[0]
        if style == "bone" and radius >= 10:  # an ankle bone: a knob you can see and feel, drawn solid
            attrs = f'fill="#f4f4f4" stroke="{INK}" stroke-width="0.7"'
        return f'<circle cx="{x}" cy="{y}" r="{radius}" {attrs}/>'
    if len(points) == 1:
        return ""
    closed = style == "nail"
    return f'<path d="{smooth_path(points, closed=closed)}" {attrs}/>'


def _landmark_label(text: str, points: Sequence[XY], radius: float) -> str:
    if radius:
        x, y = points[0][0], points[0][1] - radius - 2.5
    else:
        x, y = points[len(points) // 2][0], points[len(points) // 2][1] - 3
    return (
        f'<text x="{x}" y="{y}" font-size="6.2" font-style="italic" text-anchor="middle" '
        f'fill="{SOFT}">{escape(text)}</text>'
    )


def _callouts(view: View, marks: Sequence[Marker], fx: float, fy: float, width: float, height: float) -> list[str]:
    lines: list[str] = []
    labels: list[str] = []
    dots: list[str] = []
    for left in (True, False):
        group = sorted(
            (m for m in marks if (m.at[0] < view.size[0] / 2) == left),
            key=lambda m: m.at[1],
        )
        ys = _spread([fy + m.at[1] * SCALE - LABEL_GAP / 4 for m in group], fy, fy + height - LABEL_GAP / 2)
        for m, ly in zip(group, ys, strict=True):
            px, py = fx + m.at[0] * SCALE, fy + m.at[1] * SCALE
            ex = fx - 14 if left else fx + width + 14
            anchor = "end" if left else "start"
            tx = ex - 6 if left else ex + 6
            lines.append(
                f'<path d="M{px:.1f} {py:.1f}L{ex:.1f} {ly + 8:.1f}" stroke="{INK}" stroke-width="1.6" fill="none"/>'
            )
            labels.append(
                f'<text x="{tx:.1f}" y="{ly + 14:.1f}" text-anchor="{anchor}" font-size="{LABEL_SIZE}" fill="{INK}">'
                f'<tspan font-weight="bold">{escape(m.code)}</tspan>'
                f'<tspan x="{tx:.1f}" dy="{LABEL_SIZE + 2}">{escape(m.name)}</tspan></text>'
            )
            dots.append(marker_svg(px, py, m.numbers, m.highlight))
    return lines + dots + labels


def _callouts_below(
    marks: Sequence[Marker], fx: float, fy: float, width: float, height: float, side: float
) -> list[str]:
    lines: list[str] = []
    labels: list[str] = []
    dots: list[str] = []
    group = sorted(marks, key=lambda m: m.at[0])
    slot = label_width(marks)
    xs = _spread([fx + m.at[0] * SCALE for m in group], fx - side + slot / 2, fx + width + side - slot / 2, slot)
    ly = fy + height + 24
    for m, lx in zip(group, xs, strict=True):
        px, py = fx + m.at[0] * SCALE, fy + m.at[1] * SCALE
        lines.append(
            f'<path d="M{px:.1f} {py:.1f}L{lx:.1f} {ly - 4:.1f}" stroke="{INK}" stroke-width="1.6" fill="none"/>'
        )
        labels.append(
            f'<text x="{lx:.1f}" y="{ly + 18:.1f}" text-anchor="middle" font-size="{LABEL_SIZE}" fill="{INK}">'
            f'<tspan font-weight="bold">{escape(m.code)}</tspan>'
            f'<tspan x="{lx:.1f}" dy="{LABEL_SIZE + 2}">{escape(m.name)}</tspan></text>'
        )
        dots.append(marker_svg(px, py, m.numbers, m.highlight))
    return lines + dots + labels


def _spread(wanted: list[float], low: float, high: float, gap: float = LABEL_GAP) -> list[float]:
    """Label positions as near as possible to ``wanted`` (sorted), at least ``gap`` apart, within low..high."""
    ys = list(wanted)
    for i in range(len(ys)):
        ys[i] = max(ys[i], low if i == 0 else ys[i - 1] + gap)
    for i in reversed(range(len(ys))):
        ys[i] = min(ys[i], high if i == len(ys) - 1 else ys[i + 1] - gap)
    return ys


def marker_svg(x: float, y: float, numbers: Sequence[int], highlight: bool = False) -> str:
    """A numbered marker: a filled circle (black when highlighted) with the step number(s)."""
    text = ",".join(str(n) for n in numbers)
    r = MARKER_R + max(0, len(text) - 1) * 4.5 + (4 if highlight else 0)
    fill, ink = (INK, "#fff") if highlight else (FILL, INK)
    ring = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r + 4:.1f}" fill="none" stroke="{INK}" stroke-width="2"/>'
    return (
        (ring if highlight else "")
        + f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{fill}" stroke="{INK}" stroke-width="2.5"/>'
        + f'<text x="{x:.1f}" y="{y + 6.5:.1f}" font-size="19" font-weight="bold" text-anchor="middle" '
        f'fill="{ink}">{text}</text>'
    )
