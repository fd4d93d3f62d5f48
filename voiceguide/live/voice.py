"""Spoken commands in a live session: the listener started beside the player, gated by the program's own voice."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable

from ..errors import AudioDeviceError
from .listen import Listener
from .mixer import Player


class VoiceCommands:
    """A Listener on the microphone whose command words go into ``commands`` (None when it could not start)."""

    def __init__(self, listener: Listener) -> None:
        self.listener = listener
        self.commands = listener.commands

    @classmethod
    def start(
        cls,
        mic: str | None,
        player: Player,
        on_message: Callable[[str], None],
        commands: queue.Queue[str] | None = None,
    ) -> VoiceCommands | None:
        """Listen on ``mic`` (the default input when None); a missing input is one line, and keys still work.
        Command words go into ``commands`` (the session's own queue, shared with the keys) or a new queue."""
        try:
            listener = Listener(mic, speaking=player.speaking_between, commands=commands).start()
        except AudioDeviceError as exc:
            on_message(f"voice commands are off: {exc}")
            return None
        on_message(f"Listening for spoken commands on {listener.device_name or 'the default input'}.")
        return cls(listener)

    def stop(self) -> str | None:
        """Stop listening; why and when listening stopped early, if it did."""
        self.listener.stop()
        if self.listener.lost_at is None:
            return None
        when = time.strftime("%H:%M:%S", time.localtime(self.listener.lost_at))
        return f"listening stopped at {when} ({self.listener.lost_reason})"
