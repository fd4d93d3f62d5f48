"""The whole chart as one self-contained SVG: a title, the views the session needs, a numbered legend."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Final

from ..words import SOURCE, Words, catalogue
from .foot import VIEWS
from .items import Item
from .views import FONT, INK, SOFT, ems, marker_svg, markers, panel, panel_size

MAX_WIDTH: Final = 1240.0
"""Panels are laid out in rows no wider than this (px); a phone shows the chart at its width."""
PAD: Final = 24.0
LEGEND_ROW: Final = 70.0
HEADER: Final = 96.0


def chart_svg(
    title: str,
    items: Sequence[Item],
    highlight: int | None = None,
    *,
    legend: bool = True,
    header: bool = True,
    max_width: float = MAX_WIDTH,
    words: Words | None = None,
) -> str:
    """The chart of a session's points: marked and numbered in session order; ``highlight`` one step's number.
    Its words come from ``words``, by default the catalogue the items carry (the routine's language)."""
    words = words or (items[0].words if items else catalogue(SOURCE))
    subtitle = words.shown("chart_subtitle")
    used = [key for key in VIEWS if any(i.location is not None and i.location.view == key for i in items)]
    keys = used or ["dorsal", "medial", "plantar"]  # nothing drawn: the plain foot, so the chart is still a chart
    panels = []
    for key in keys:
        marks = markers(VIEWS[key], items, highlight)
        panels.append((key, marks, panel_size(VIEWS[key], marks)))
    rows: list[list[tuple[str, list, tuple[float, float]]]] = [[]]
    for entry in panels:
        width = sum(p[2][0] for p in rows[-1]) + entry[2][0]
        if rows[-1] and width > max_width:
            rows.append([])
        rows[-1].append(entry)
    text_width = max(ems(title) * 34 * 1.03, ems(subtitle) * 21 * 0.92) if header else 0
    canvas = max(text_width, *(sum(p[2][0] for p in row) for row in rows)) + 2 * PAD
    body: list[str] = []
    y = HEADER if header else PAD
    for row in rows:
        x = (canvas - sum(p[2][0] for p in row)) / 2
        for key, marks, (w, _h) in row:
            body.append(panel(VIEWS[key], marks, x, y, words))
            x += w
        y += max(p[2][1] for p in row)
    if legend:
        y += 10
        body.append(_legend(items, PAD + 10, y, highlight))
        y += LEGEND_ROW * len(items)
    height = y + PAD
    head = [
        f'<text x="{PAD}" y="{PAD + 30}" font-size="34" font-weight="bold" fill="{INK}">{escape(title)}</text>',
        f'<text x="{PAD}" y="{PAD + 64}" font-size="21" fill="{SOFT}">{escape(subtitle)}</text>',
    ]
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {canvas:.0f} {height:.0f}" '
            f'width="{canvas:.0f}" height="{height:.0f}" font-family="{FONT}" lang="{words.tag}" role="img">',
            f"<title>{escape(words.shown('chart_title', title=title))}</title>",
            '<rect width="100%" height="100%" fill="#fff"/>',
            *(head if header else []),
            *body,
            "</svg>",
        ]
    )


def _legend(items: Sequence[Item], x: float, y: float, highlight: int | None) -> str:
    out = []
    for k, item in enumerate(items):
        top = y + k * LEGEND_ROW
        out.append(marker_svg(x + 18, top + 24, [item.number], item.number == highlight))
        weight = ' font-weight="bold"' if item.number == highlight else ""
        out.append(
            f'<text x="{x + 50}" y="{top + 20}" font-size="26" fill="{INK}"{weight}>'
            f'<tspan font-weight="bold">{escape(item.code)}</tspan> {escape(item.step.name)}</text>'
        )
        out.append(f'<text x="{x + 50}" y="{top + 50}" font-size="23" fill="{SOFT}">{escape(item.summary)}</text>')
    return "\n".join(out)
