"""voiceguide: voice-guided self-acupressure sessions, live on the speakers or exported as audio."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("voiceguide")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"
