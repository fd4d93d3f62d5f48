"""The printable guide: one self-contained HTML page (inline SVG and CSS, no scripts, nothing fetched)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Final

from ..routine.model import Routine, Technique, plain_text
from ..words import SOURCE, Words, catalogue
from .items import Item
from .svg import chart_svg

TONES: Final = ("bowl", "press", "release", "switch", "done")
"""The sounds of a session, in the order the guide explains them (catalogue labels ``tone_<name>`` and
``tone_<name>_means``; the tones themselves are made in audio/tones.py)."""
SAFETY: Final = ("safety_pressure", "safety_doctor", "safety_skin", "safety_warmth")
"""The guide's safety sentences (catalogue labels); the warmth one only when the session warms."""

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
    """The whole page: title and length, the chart, the steps, the tones, the safety sentences, every word
    in the routine's language (its own texts, and the catalogue's labels)."""
    words = catalogue(routine.language)
    shown = words.shown
    rows = "\n".join(_row(item, words) for item in items)
    opening = plain_text(routine.opening)
    warms = any(item.step.technique is Technique.WARMTH for item in items)
    safety = [shown(key) for key in SAFETY if warms or key != "safety_warmth"]
    tones = [
        shown("definition", term=f"<b>{escape(shown(f'tone_{t}'))}</b>", meaning=escape(shown(f"tone_{t}_means")))
        for t in TONES
    ]
    columns = ("#", *(shown(f"column_{c}") for c in ("point", "where", "todo", "minutes", "rhythm")))
    return f"""<!DOCTYPE html>
<html lang="{escape(routine.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(routine.title)}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>{escape(routine.title)}</h1>
<p class="meta">{escape(shown("guide_about", minutes))} · {escape(shown("guide_points", len(items)))}
{escape(plain_text(routine.description))}</p>
<p class="meta">{escape(shown("chart_subtitle"))}</p>
<figure>{chart_svg(routine.title, items, legend=False, header=False, max_width=2400, words=words)}</figure>
<h2>{escape(shown("heading_steps"))}</h2>
<table>
<thead><tr>{"".join(f"<th>{escape(c)}</th>" for c in columns)}</tr></thead>
<tbody>
{rows}
</tbody>
</table>
<div class="cols">
<div><h2>{escape(shown("heading_tones"))}</h2>
<ul>{"".join(f"<li>{line}</li>" for line in tones)}</ul></div>
<div><h2>{escape(shown("heading_safety"))}</h2>
<ul>{"".join(f"<li>{escape(line)}</li>" for line in safety)}</ul>
{f"<p>{escape(opening)}</p>" if opening else ""}</div>
</div>
</body>
</html>
"""


def _row(item: Item, words: Words) -> str:
    step = item.step
    where = escape(plain_text(step.location))
    if not where and item.location is not None:
        # The drawing's own description is English: said so, for screen readers and hyphenation.
        english = escape(item.location.where)
        where = english if words.tag == SOURCE else f'<span lang="{SOURCE}">{english}</span>'
    todo = escape(plain_text(step.instructions) or item.technique.capitalize() + ".")
    if step.cautions:
        todo += f' <span class="caution">{escape(plain_text(step.cautions))}</span>'
    if item.location is None:
        where = f"{where} ({escape(words.shown('not_on_chart'))})".lstrip()
    rhythm = escape(item.pacing).replace(", ", ",<br>") or escape(item.technique)
    return (
        f'<tr><td class="n">{item.number}</td><td class="code"><b>{escape(item.code)}</b><br>{escape(step.name)}</td>'
        f"<td>{where}</td><td>{todo}</td><td>{escape(item.per_foot)}</td>"
        f'<td class="rhythm">{rhythm}</td></tr>'
    )
