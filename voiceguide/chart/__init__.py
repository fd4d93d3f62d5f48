"""Charts of where to press: the foot drawn from data, point positions, SVG/PNG, cover art, the printable guide."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ChartError
from ..paths import atomic_write
from ..plan.length import session_minutes
from ..plan.pacing import Pacing
from ..plan.timeline import estimate
from ..routine.model import Routine
from .guide import guide_html
from .items import Item, items
from .png import to_png
from .svg import chart_svg

CHART_SUFFIXES = (".svg", ".png")
GUIDE_SUFFIXES = (".html", ".htm")


def write_chart(routine: Routine, pacing: Pacing, path: Path, *, force: bool = False) -> Path:
    """Write the session's chart to ``path``: SVG, or PNG when its suffix says so."""
    suffix = path.suffix.lower()
    if suffix not in CHART_SUFFIXES:
        raise ChartError(f"{str(path)!r}: a chart is written as .svg or .png")
    _check(path, force)
    svg = chart_svg(routine.title, items(routine, pacing))
    return _shared(atomic_write(path, to_png(svg) if suffix == ".png" else svg))


def write_guide(routine: Routine, pacing: Pacing, path: Path, *, force: bool = False) -> Path:
    """Write the printable one-page guide to ``path`` (.html)."""
    if path.suffix.lower() not in GUIDE_SUFFIXES:
        raise ChartError(f"{str(path)!r}: the guide is written as .html")
    _check(path, force)
    minutes = session_minutes(estimate(routine, pacing))
    return _shared(atomic_write(path, guide_html(routine, items(routine, pacing), minutes)))


def _shared(path: Path) -> Path:
    # atomic_write's temporary file is private (0600); a chart or guide is for sharing and printing, so it
    # gets the permissions any new file would (0666 less the umask).
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)
    return path


def _check(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise ChartError(f"{path} already exists; use --force to overwrite it")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ChartError(f"the folder {folder} does not exist")


__all__ = ["Item", "chart_svg", "guide_html", "items", "to_png", "write_chart", "write_guide"]
