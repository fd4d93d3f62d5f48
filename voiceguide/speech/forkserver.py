"""The fork server behind SynthesisPool: one fresh espeak-ng engine per clip, several at once.

Why a fresh engine: espeak-ng carries synthesis state from one utterance to the next (in wavegen.c
the pitch-flutter index is a function-local static that is never reset, and the AGC, phase and
modulation counters are file statics), so the n-th clip a process speaks depends on the n-1 before
it. This process starts espeak-ng through pyttsx3's binding (oneclip.start_engine) but never speaks;
each child forked from it speaks exactly one clip and exits, so it starts from the very state a
fresh ``espeak-ng`` command has when it starts speaking. Children are forked ahead (``workers`` spares)
so a request finds one ready.

Runs as ``python -I -S forkserver.py WORKERS SYSPATH_JSON IDLE_SECONDS``: stdlib and pyttsx3 only, no numpy, so
it starts in a few tens of milliseconds and forks cheaply. Protocol on stdin/stdout:
  first, out: one JSON line {"hello": {"version", "library"} or {"error"}}, once espeak-ng has started
  request: one JSON line {"id", "text", "voice", "rate", "volume"}
  reply:   one JSON line {"id", "ok", "bytes", "error", "retry", "voices"}, then ``bytes`` bytes of
           16-bit mono PCM at 22050 Hz.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import selectors
import signal
import sys
import time
from collections import deque
from collections.abc import Callable
from typing import Any


class Child:
    """A forked child as the server sees it."""

    def __init__(self, pid: int, request_fd: int, reply_fd: int) -> None:
        self.pid, self.request_fd, self.reply_fd = pid, request_fd, reply_fd
        self.request: dict[str, Any] | None = None
        self.deadline = 0.0
        self.timed_out = False
        self.buffer = bytearray()


class Server:
    """Queues requests from stdin, hands each to a ready child, relays replies to stdout in one piece."""

    def __init__(self, workers: int, folder: str, serve: Callable[[int, int, str], None]) -> None:
        self.workers, self.folder, self.serve = workers, folder, serve
        self.queue: deque[dict[str, Any]] = deque()
        self.spares: deque[Child] = deque()
        self.active: dict[int, Child] = {}  # by reply fd
        self.selector = selectors.DefaultSelector()
        self.inbox = bytearray()
        self.out = sys.stdout.buffer

    def fork(self) -> Child:
        request_r, request_w = os.pipe()
        reply_r, reply_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, which always leaves by os._exit
            code = 0
            try:
                # Keep only our own pipe ends: a child holding a sibling's reply pipe open would hide its end.
                others = [*self.spares, *self.active.values()]
                inherited = {request_w, reply_r} | {fd for c in others for fd in (c.request_fd, c.reply_fd) if fd >= 0}
                for fd in inherited:
                    os.close(fd)
                null = os.open(os.devnull, os.O_RDWR)
                os.dup2(null, 0)
                os.dup2(null, 1)
                self.serve(request_r, reply_w, self.folder)
            except BaseException:  # a child must never return into the server loop
                code = 1
            finally:
                os._exit(code)
        os.close(request_r)
        os.close(reply_w)
        return Child(pid, request_w, reply_r)

    def top_up(self) -> None:
        while len(self.spares) < self.workers:
            self.spares.append(self.fork())

    def dispatch(self) -> None:
        while self.queue and len(self.active) < self.workers:
            request = self.queue.popleft()
            child = self.spares.popleft() if self.spares else self.fork()
            child.request = request
            child.deadline = time.monotonic() + 30 + len(request["text"]) / 10
            with contextlib.suppress(BrokenPipeError):  # a child that died starting: its reply says so
                os.write(child.request_fd, json.dumps(request).encode() + b"\n")
            os.close(child.request_fd)
            child.request_fd = -1
            self.active[child.reply_fd] = child
            self.selector.register(child.reply_fd, selectors.EVENT_READ, child)
        self.top_up()

    def finish(self, child: Child) -> None:
        """Relay a child's reply, or say why it has none; then reap it."""
        self.selector.unregister(child.reply_fd)
        os.close(child.reply_fd)
        del self.active[child.reply_fd]
        _, status = os.waitpid(child.pid, 0)
        assert child.request is not None
        head, _, body = bytes(child.buffer).partition(b"\n")
        try:
            reply = json.loads(head)
            complete = len(body) == reply["bytes"]
        except (ValueError, KeyError):
            complete = False
        if not complete:
            why = "timed out" if child.timed_out else f"stopped (wait status {status})"
            reply, body = {"id": child.request["id"], "ok": False, "retry": True, "bytes": 0}, b""
            reply["error"] = f"the synthesis process {why}"
        self.out.write(json.dumps(reply).encode() + b"\n" + body)
        self.out.flush()

    def read_requests(self) -> bool:
        chunk = os.read(0, 65536)
        if not chunk:
            return False
        self.inbox += chunk
        while b"\n" in self.inbox:
            line, _, rest = bytes(self.inbox).partition(b"\n")
            self.inbox = bytearray(rest)
            self.queue.append(json.loads(line))
        return True

    def run(self, idle_seconds: float) -> None:
        """Serve until stdin closes, or until nothing was asked for ``idle_seconds`` (the pool starts a new server)."""
        self.selector.register(0, selectors.EVENT_READ, None)
        self.top_up()  # engines start while the first request is on its way
        idle_since = time.monotonic()
        while True:
            now = time.monotonic()
            if self.active or self.queue:
                idle_since = now
            elif now - idle_since > idle_seconds:
                return
            timeout = min((c.deadline - now for c in self.active.values() if not c.timed_out), default=None)
            timeout = idle_seconds - (now - idle_since) + 0.01 if timeout is None else timeout
            for key, _ in self.selector.select(max(0.0, timeout)):
                child = key.data
                if child is None:
                    if not self.read_requests():
                        return
                    continue
                chunk = os.read(child.reply_fd, 1 << 20)
                if chunk:
                    child.buffer += chunk
                else:
                    self.finish(child)
            for child in list(self.active.values()):
                if time.monotonic() > child.deadline and not child.timed_out:
                    child.timed_out = True
                    os.kill(child.pid, signal.SIGKILL)
            self.dispatch()

    def stop(self) -> None:
        """Kill the children, then reap them (all killed first: they die together)."""
        children = [*self.spares, *self.active.values()]
        for child in children:
            with contextlib.suppress(OSError):
                os.kill(child.pid, signal.SIGKILL)
        for child in children:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(child.pid, 0)


def main() -> None:
    workers, idle_seconds = int(sys.argv[1]), float(sys.argv[3])
    # The parent's path finds the same pyttsx3; this folder (last: nothing here may shadow a module)
    # finds oneclip without its package (an editable install's import hook is a .pth file, which -S skips).
    sys.path[:0] = json.loads(sys.argv[2])
    sys.path.append(os.path.dirname(os.path.abspath(__file__)))
    from oneclip import hello, serve_one, start_engine

    start_engine()  # once, before any fork: every child inherits an engine that has spoken nothing
    sys.stdout.buffer.write(json.dumps({"hello": hello()}).encode() + b"\n")
    sys.stdout.buffer.flush()
    # No garbage collector: the loop makes no reference cycles, and a collection walks every object,
    # writing to pages each forked child shares (copy-on-write faults on both sides).
    gc.disable()
    gc.freeze()
    server = Server(workers, "", serve_one)
    try:
        server.run(idle_seconds)
    except BrokenPipeError:
        pass  # the pool went away
    finally:
        server.stop()
    # Straight out: voiceguide waits for this process when it closes the pool, and tearing down the
    # interpreter took ~15 ms (nothing is left to flush: every reply was flushed when it was written).
    os._exit(0)


if __name__ == "__main__":
    main()
