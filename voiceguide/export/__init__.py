"""Exports: audio files with chapters and tags, captions and cue sheets."""
