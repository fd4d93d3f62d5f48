"""Gaps a listener could hear: where the sound card played silence in the middle of the session's sound.

PortAudio's underflow flag alone is not that: on PulseAudio it was raised at the end of sessions whose
recording had no gap at all (issue 22), and a real gap while the session is silent anyway (between cues) is
not heard. What the card played is in its own clock: each block's DAC time (when its first frame is heard).
When that clock runs ahead of the audio handed to it, the card filled the difference with silence. Its estimate
wobbles and corrects itself in the next blocks, so the advance is summed over a short window; and it also jumps
when PulseAudio settles its latency (70 ms once while a neural voice loaded, with no flag and no gap heard), so
a gap counts only where PortAudio flagged an underflow too. The figure is a lower bound: after an underrun
PulseAudio also raises its own latency, which that clock does not show (a gap measured 0.33 s was 0.42 s in
the recording: tests/test_dropouts.py).
"""

from __future__ import annotations

from typing import Final

JUMP: Final = 0.005
"""Seconds the card's clock must run ahead of the audio handed to it, in one block, to start a window."""
WINDOW: Final = 0.5
"""Seconds over which the clock's advance is summed (its later blocks correct a wobbling estimate)."""
NOTICEABLE: Final = 0.02
"""Seconds of silence in sound that a listener notices (a click or a broken word); shorter ones are not told."""
LOUD: Final = 10 ** (-50 / 20)
"""A block whose peak is over this (-50 dBFS) has sound in it: speech, a tone or a bed."""


class Dropouts:
    """Measures the gaps, one call per audio callback (audio thread: cheap, no lock)."""

    def __init__(self) -> None:
        self.gaps: list[float] = []
        """Seconds of each gap heard so far (the one being measured is added when its window closes)."""
        self._end: float | None = None  # when the audio handed so far ends, in the card's clock
        self._loud = False  # whether the last block had sound
        self._open: list | None = None  # [window end, silence so far, sound beside it, underflow flagged]

    def block(self, dac_time: float, seconds: float, peak: float, underflow: bool) -> None:
        """A block of ``seconds`` (loudest sample ``peak``) to be heard from ``dac_time`` on the card's clock;
        ``underflow``: PortAudio flagged its callback."""
        if dac_time <= 0.0:  # a host API without DAC times: nothing can be measured
            return
        loud = peak > LOUD
        ahead = 0.0 if self._end is None else dac_time - self._end
        if self._open is not None:
            self._open[1] += ahead
            self._open[3] = self._open[3] or underflow
            if dac_time >= self._open[0]:
                self._close()
        elif ahead > JUMP or underflow:
            self._open = [dac_time + WINDOW, ahead, self._loud or loud, underflow]
        self._end, self._loud = dac_time + seconds, loud

    def heard(self) -> tuple[float, ...]:
        """The gaps a listener could notice, in seconds (the one being measured included)."""
        self._close()
        return tuple(self.gaps)

    def _close(self) -> None:
        if self._open is not None:
            _, silence, heard, flagged = self._open
            self._open = None
            if heard and flagged and silence >= NOTICEABLE:
                self.gaps.append(silence)
