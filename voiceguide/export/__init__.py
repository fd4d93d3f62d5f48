"""Exporting a session to audio files: formats, encoders, chapters and tags, side files, split parts."""

from __future__ import annotations

from .chapters import Chapter, Tags, captions, chapters, cue_sheet, session_tags, write_tags
from .formats import DEFAULT_FORMAT, FORMATS, choose_format, default_path
from .split import export_split, split_folder
from .writer import ExportResult, export, remove_stale_parts

__all__ = [
    "DEFAULT_FORMAT",
    "FORMATS",
    "Chapter",
    "ExportResult",
    "Tags",
    "captions",
    "chapters",
    "choose_format",
    "cue_sheet",
    "default_path",
    "export",
    "export_split",
    "remove_stale_parts",
    "session_tags",
    "split_folder",
    "write_tags",
]
