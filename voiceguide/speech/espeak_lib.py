"""espeak-ng's library, loaded through pyttsx3's binding, and the one line a user who lacks it reads."""

from __future__ import annotations

from typing import Any, Final

from ..errors import SpeechError

INSTALL: Final = (
    "install espeak-ng: sudo apt-get install espeak-ng (Debian/Ubuntu), sudo dnf install espeak-ng (Fedora), "
    "sudo pacman -S espeak-ng (Arch)"
)
MISSING: Final = f"espeak-ng's library (libespeak-ng.so.1) could not be loaded; {INSTALL}"


def binding() -> Any:
    """pyttsx3's ctypes binding to libespeak-ng (``pyttsx3.drivers._espeak``), the library loaded.

    pyttsx3 raises RuntimeError (older releases OSError) at import when no library loads, and a failed
    import is tried again on the next one: each is this one SpeechError, never pyttsx3's traceback."""
    try:
        from pyttsx3.drivers import _espeak
    except ImportError as exc:
        if exc.name and exc.name.startswith("pyttsx3"):
            raise SpeechError(f"pyttsx3 is not installed ({exc}); run: pip install pyttsx3") from None
        raise SpeechError(MISSING) from None
    except (OSError, RuntimeError):
        raise SpeechError(MISSING) from None
    if getattr(_espeak, "dll", None) is None:
        raise SpeechError(MISSING)
    return _espeak
