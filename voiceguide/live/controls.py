"""What each control does in a live session, and the short spoken answer it gives (eyes closed: every
key and voice command is answered by sound, not only on screen)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np

from ..audio.types import Audio
from ..plan import cues
from ..plan.timeline import StepSpan, Timeline
from ..words import SOURCE, Words, catalogue
from .keys import help_text
from .mixer import MAX_VOLUME, MIN_VOLUME, VOLUME_STEP, Player

RESTART_WINDOW: Final = 3.0
"""Within this many seconds of a step's start, `p` goes to the previous step instead of restarting this one."""
CONTROLS: Final = (
    "pause", "resume", "next", "close", "previous", "restart", "loudest", "softest", "preparing", "help",
)  # fmt: skip
"""What a control may answer; the words are the catalogue's ``answer_<control>``."""


def answers(words: Words) -> dict[str, str]:
    """The spoken answer to each control, in a language. Short, and synthesized ahead so it comes at once."""
    return {name: words.say(f"answer_{name}") for name in CONTROLS}


ANSWERS: Final[dict[str, str]] = answers(catalogue(SOURCE))
"""The English answers (what sessions in English say)."""
REPEAT_GAP: Final = 0.4
"""Seconds of quiet between the sentences of a repeated location."""


@dataclass(frozen=True)
class Reply:
    """What a control did: a line for the screen and the texts to say."""

    message: str
    say: tuple[str, ...] = ()


def location_texts(step: StepSpan, timeline: Timeline, routine_steps: tuple, words: Words | None = None) -> list[str]:
    """What `r` says for a step: its name and where it is, at any verbosity."""
    words = words or catalogue(SOURCE)
    source = next((s for s in routine_steps if s.point == step.point and s.name == step.name), None)
    where = cues.said(words, source.location) if source is not None else []
    return [words.say("name", name=step.name), *where]


class Controls:
    """Applies command words (from keys or voice) to a player, and says what happened."""

    def __init__(self, clip: Callable[[str], Audio], routine_steps: tuple, words: Words | None = None) -> None:
        self.clip = clip
        self.routine_steps = routine_steps
        self.words = words or catalogue(SOURCE)
        self.answers = answers(self.words)
        self.listening = False
        """Whether spoken commands are heard (the help then lists their phrases too)."""

    def texts(self, timeline: Timeline | None = None) -> list[str]:
        """Every text a control may say (to synthesize ahead, so answers are immediate): the volumes a few
        presses away (the others are made when asked for, in a fraction of a second), and with ``timeline``,
        what `r` repeats of each of its points."""
        loudest = round(math.log(MAX_VOLUME, VOLUME_STEP))
        volumes = [text for n in range(-3, loudest + 1) for text in self.volume_words(VOLUME_STEP**n)]
        spans = timeline.steps if timeline is not None else ()
        repeats = [t for s in spans for t in location_texts(s, timeline, self.routine_steps, self.words)]
        return [*self.answers.values(), *volumes, *repeats]

    def volume_words(self, volume: float) -> tuple[str, ...]:
        """What `+` and `-` say: the new volume (and at either end, that it goes no further), in words."""
        db = round(20 * math.log10(volume))
        if db == 0:
            level = self.words.say("volume_normal")
        else:
            level = self.words.say("volume_up" if db > 0 else "volume_down", abs(db))
        end = "loudest" if volume >= MAX_VOLUME * 0.999 else "softest" if volume <= MIN_VOLUME * 1.001 else None
        return (level, self.answers[end]) if end else (level,)

    def handle(self, command: str, player: Player, timeline: Timeline | None) -> Reply | None:
        """Apply one command; the reply is shown and said."""
        if command in ("pause", "resume", "toggle"):
            if command == "toggle":
                command = "resume" if player.paused else "pause"
            if player.paused == (command == "pause"):
                return None  # already so: a repeated voice command does nothing
            waited = player.waiting
            player.toggle_pause()
            if waited:
                return Reply("Going on.")  # the next point begins at once: it is its own answer
            message = "Paused. Press space to go on." if command == "pause" else "Resumed."
            return self._say(player, Reply(message, (self.answers[command],)))
        if command in ("louder", "softer"):
            volume, limited = player.change_volume(command == "louder")
            db = 20 * math.log10(volume)
            said = self.volume_words(volume)
            if limited:
                key = "loudest" if command == "louder" else "softest"
                return self._say(player, Reply(f"Volume {db:+.0f} dB ({ANSWERS[key].lower()[:-1]})", said))
            return self._say(player, Reply(f"Volume {db:+.0f} dB", said))
        if command == "help":
            return self._say(player, Reply(help_text(self.listening), (self.answers["help"],)))
        if timeline is None:
            return self._say(player, Reply("Still preparing the session…", (self.answers["preparing"],)))
        step = _current_step(timeline, player.position)
        if command == "next":
            later = [s for s in timeline.steps if s.start > player.position]
            end = timeline.steps[-1].end if timeline.steps else timeline.length
            player.seek(later[0].start if later else end)
            if later:
                return self._say(player, Reply(f"Next: {later[0].name}", (self.answers["next"],)))
            return self._say(player, Reply("Skipping to the close.", (self.answers["close"],)))
        if command == "previous":
            if step is None:
                player.seek(0)
                return self._say(player, Reply("Back to the start.", (self.answers["previous"],)))
            if (player.position - step.start) / timeline.sample_rate > RESTART_WINDOW or step.index == 0:
                player.seek(step.start)
                return self._say(player, Reply(f"Restarting {step.name}", (self.answers["restart"],)))
            previous = timeline.steps[step.index - 1]
            player.seek(previous.start)
            return self._say(player, Reply(f"Back to {previous.name}", (self.answers["previous"],)))
        if command == "repeat":
            if step is None or player.position >= step.end:  # welcome or moving: the point that comes next
                later = [s for s in timeline.steps if s.start > player.position]
                step = later[0] if later else (timeline.steps[-1] if timeline.steps else None)
            if step is None:
                return None
            texts = location_texts(step, timeline, self.routine_steps, self.words)
            return self._say(player, Reply(f"Repeating where {step.name} is.", tuple(texts)))
        return None

    def _say(self, player: Player, reply: Reply) -> Reply:
        gap = np.zeros(round(REPEAT_GAP * player.rate), dtype=np.float32)
        parts: list[Audio] = []
        for text in reply.say:
            parts += [self.clip(text), gap]
        if parts:
            player.interject(np.concatenate(parts[:-1]))
        return reply


def _current_step(timeline: Timeline, position: int) -> StepSpan | None:
    return next((s for s in reversed(timeline.steps) if s.start <= position), None)
