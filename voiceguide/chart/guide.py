"""The printable guide: one self-contained HTML page (inline SVG and CSS, no scripts, nothing fetched)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Final

from ..routine.model import Routine, plain_text
from .items import Item
from .svg import SUBTITLE, chart_svg

TONES: Final = (
    ("Soft bowl", "the session begins, and again when it ends."),
    ("High tone", "press."),
    ("Lower tone (an octave down)", "release. In a steady hold, it marks the end of the hold."),
    ("Rising two-note chime", "change to the other foot."),
    ("Falling chime", "this point is done; move to the next."),
)
"""What each sound of a session means (the tones themselves are made in audio/tones.py)."""
SAFETY: Final = (
    "Pressure should feel firm but never painful: ease off whenever it hurts.",
    "If you feel unwell, are pregnant, or have a condition of the feet or the circulation, ask your doctor first.",
    "Do not press on broken skin, bruises, swelling or varicose veins.",
    "Warmth should feel comfortably warm, never hot: test it with your hand first.",
)

_CSS: Final = """
@page { size: auto; margin: 11mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; color: #111; background: #fff;
       margin: 0 auto; max-width: 190mm; padding: 8px; font-size: 10pt; line-height: 1.3; }
h1 { font-size: 17pt; margin: 0 0 2px; }
h2 { font-size: 12pt; margin: 10px 0 4px; break-after: avoid; }
p.meta { margin: 0 0 6px; color: #444; }
figure { margin: 0; text-align: center; }
figure svg { width: 100%; height: auto; max-height: 120mm; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { border: 1px solid #999; padding: 3px 5px; vertical-align: top; text-align: left; }
th { background: #eee; }
tr { break-inside: avoid; }
td.n { text-align: center; font-weight: bold; width: 2.2em; }
td.code, td.rhythm { white-space: nowrap; }
ul { margin: 2px 0; padding-left: 18px; }
li { margin: 1px 0; }
.cols { display: flex; gap: 14px; }
.cols > div { flex: 1; }
.caution { font-style: italic; }
@media print { body { padding: 0; } }
"""


def guide_html(routine: Routine, items: Sequence[Item], minutes: int) -> str:
    """The whole page: title and length, the chart, the steps, the tones, the safety sentences."""
    rows = "\n".join(_row(item) for item in items)
    opening = plain_text(routine.opening)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(routine.title)}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>{escape(routine.title)}</h1>
<p class="meta">About {minutes} minutes · {len(items)} point{"s" if len(items) != 1 else ""}.
{escape(plain_text(routine.description))}</p>
<p class="meta">{escape(SUBTITLE)}</p>
<figure>{chart_svg(routine.title, items, legend=False, header=False, max_width=2400)}</figure>
<h2>The steps, in order</h2>
<table>
<thead><tr><th>#</th><th>Point</th><th>Where</th><th>What to do</th><th>Minutes</th><th>Rhythm</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<div class="cols">
<div><h2>What the sounds mean</h2>
<ul>{"".join(f"<li><b>{escape(name)}</b>: {escape(meaning)}</li>" for name, meaning in TONES)}</ul></div>
<div><h2>Safety</h2>
<ul>{"".join(f"<li>{escape(line)}</li>" for line in SAFETY)}</ul>
{f"<p>{escape(opening)}</p>" if opening else ""}</div>
</div>
</body>
</html>
"""


def _row(item: Item) -> str:
    step = item.step
    where = plain_text(step.location) or (item.location.where if item.location else "")
    todo = escape(plain_text(step.instructions) or item.technique.capitalize() + ".")
    if step.cautions:
        todo += f' <span class="caution">{escape(plain_text(step.cautions))}</span>'
    if item.location is None:
        where += " (not on this chart)"
    rhythm = escape(item.pacing).replace(", ", ",<br>") or escape(item.technique)
    return (
        f'<tr><td class="n">{item.number}</td><td class="code"><b>{escape(item.code)}</b><br>{escape(step.name)}</td>'
        f"<td>{escape(where)}</td><td>{todo}</td><td>{escape(item.per_foot)}</td>"
        f'<td class="rhythm">{rhythm}</td></tr>'
    )
