"""The one exception family of voiceguide; only the CLI turns these into messages."""

from __future__ import annotations

import re


class VoiceguideError(Exception):
    """Base class of every error voiceguide reports to a user."""


def readable_field(field: str) -> str:
    """A field as a person counts: ``steps[1].technique`` is ``step 2, technique``; others as they are."""
    found = re.fullmatch(r"steps\[(\d+)\](?:\.(.+))?", field)
    if found is None:
        return field
    step = f"step {int(found.group(1)) + 1}"
    return f"{step}, {found.group(2)}" if found.group(2) else step


class RoutineError(VoiceguideError):
    """A routine or config file is missing, unreadable or invalid.

    ``field`` keeps the file's own form (``steps[1].minutes``, counted from 0, for tools and tests); the
    message counts steps from 1, as a person does (``step 2, minutes``), beside the line number.
    """

    def __init__(self, path: str, line: int | None, field: str | None, message: str) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.message = message
        where = path if line is None else f"{path}:{line}"
        what = f"{readable_field(field)}: {message}" if field else message
        super().__init__(f"{where}: {what}")


class PacingError(VoiceguideError):
    """A pacing value (flag, preset or saved default) is out of range."""

    def __init__(self, message: str, key: str | None = None) -> None:
        self.key = key
        self.reason = message
        super().__init__(f"{key}: {message}" if key else message)


class SpeechError(VoiceguideError):
    """The speech engine is missing or produced no usable audio."""


class AudioDeviceError(VoiceguideError):
    """No audio output could be opened (PortAudio missing, no device, unknown device)."""


class ExportError(VoiceguideError):
    """An export could not be written; nothing was left at the destination."""


class SessionError(VoiceguideError):
    """A saved session cannot be resumed."""


class BedError(VoiceguideError):
    """A sound bed file is missing, not audio, empty or too short to loop."""


class ChartError(VoiceguideError):
    """A chart or a printable guide could not be made."""


class LogError(VoiceguideError):
    """The practice log cannot be read or written (locked, read-only, damaged, or from a newer voiceguide)."""
