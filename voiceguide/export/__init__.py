"""Exporting a session to audio files: the writer, chapters and tags, side files."""

from __future__ import annotations

from .chapters import Chapter, captions, chapters, cue_sheet, write_tags
from .writer import FORMATS, ExportResult, choose_format, default_path, export, remove_stale_parts

__all__ = [
    "FORMATS",
    "Chapter",
    "ExportResult",
    "captions",
    "chapters",
    "choose_format",
    "cue_sheet",
    "default_path",
    "export",
    "remove_stale_parts",
    "write_tags",
]
