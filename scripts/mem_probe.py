#!/usr/bin/env python3
"""Memory of a whole live session in seconds: `LiveSession.run` as `voiceguide play` runs it, but the sound card
is a thread that asks the player for blocks --speed times faster than real time (a 48-minute evening: 1.5 min).

Like PortAudio's, that thread starts asking before the plan is ready (the opening bell plays while it is
made), so clips are read by the same threads as in real play. Prints RSS and anonymous memory by session
minute (sampled every 0.1 s), where they change, and the growth from minute 1 (what scripts/soak.py reports
after 48 real minutes).

    PYTHONPATH=. .venv/bin/python scripts/mem_probe.py evening --bed brown
    PYTHONPATH=. .venv/bin/python scripts/mem_probe.py evening --scale 2.6    # about two hours

The clip cache must hold the session's clips (run `voiceguide show ROUTINE` with the same options first).
"""

from __future__ import annotations

import argparse
import threading
import time
from pathlib import Path
from typing import Any

import voiceguide.live.session as live


def memory() -> tuple[float, float]:
    """(Rss, Anonymous) of this process in MiB."""
    fields = {}
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        fields[key] = int(value.split()[0]) / 1024
    return fields["Rss"], fields["Anonymous"]


class Card:
    """A stand-in output stream: one thread pulling blocks from the player until it is stopped."""

    def __init__(self, player: Any, speed: float) -> None:
        self.player, self.speed, self.latency, self.active, self.closed = player, speed, 0.0, True, False
        self._thread = threading.Thread(target=self._pull, name="card", daemon=True)
        self._thread.start()

    def _pull(self) -> None:
        while self.active:
            self.player.watch.tick(self.player.block)
            self.player.fill(self.player.block)
            self.player.watch.filled()
            if self.player.waiting:  # a wait for the listener: go on at once
                self.player.toggle_pause()
            # Real time until the plan is handed over (the opening bell plays while it is made), then faster.
            time.sleep(self.player.block / self.player.rate / (self.speed if self.player.final else 1))

    def stop(self) -> None:
        self.active = False
        self._thread.join()

    def close(self) -> None:
        self.closed = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("routine")
    parser.add_argument("--bed", default="none")
    parser.add_argument("--scale")
    parser.add_argument("--speed", type=float, default=32.0, help="times real time (default 32)")
    args = parser.parse_args()
    from voiceguide.plan.config import effective_pacing
    from voiceguide.routine.library import load_routine

    routine = load_routine(args.routine)
    flags = {"bed": args.bed} | ({"scale": args.scale} if args.scale else {})
    pacing, _ = effective_pacing(routine, flags, None)
    session = live.LiveSession(routine, args.routine, pacing)
    live.open_output = lambda player, device: Card(player, args.speed)  # type: ignore[assignment]
    live.close_output = lambda stream, drain=True: (stream.stop(), stream.close())  # type: ignore[assignment]
    rows: list[tuple[float, float, float]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            player = session.player
            rows.append((player.position / player.rate / 60 if player is not None else 0.0, *memory()))

    started = time.monotonic()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    outcome = session.run(lambda status: None, lambda message: None)
    done.set()
    sampler.join()
    session.close()
    rows.append((outcome.position / session.store.sample_rate / 60, *memory()))
    shown = None
    for minute, rss, anon in rows:
        if shown is None or abs(rss - shown) >= 0.25 or (minute, rss, anon) == rows[-1]:
            print(f"minute {minute:6.2f}  RSS {rss:6.1f} MiB  anonymous {anon:6.1f} MiB")
            shown = rss
    first = next(rss for minute, rss, _ in rows if minute >= 1)
    print(f"RSS at minute 1 {first:.1f} MiB, end {rows[-1][1]:.1f} MiB: growth {rows[-1][1] - first:+.1f} MiB")
    print(f"({outcome.reason}, {time.monotonic() - started:.1f} s wall)")


if __name__ == "__main__":
    main()
