"""voiceguide: voice-guided self-acupressure sessions, live on the speakers or exported as audio."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # The version is looked up only when asked for: importlib.metadata costs ~40 ms at start-up.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("voiceguide")
        except PackageNotFoundError:  # a source tree that was not installed
            return "0.0.0"
    raise AttributeError(name)
