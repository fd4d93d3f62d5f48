"""Plain-text tables for the terminal: every column as wide as its widest cell."""

from __future__ import annotations

from collections.abc import Sequence

GAP = "  "
"""Between columns: two spaces, so a cell with a space in it still reads as one cell."""


def aligned(rows: Sequence[Sequence[str]]) -> list[str]:
    """The rows as lines whose columns start at the same place; the last column is not padded."""
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(max(len(row) for row in rows))]
    return [
        GAP.join(cell if i == len(row) - 1 else cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
        for row in rows
    ]
