"""A live session's signals only set its stop reason: Ctrl-C never raises in the middle of the session's loop."""

from __future__ import annotations

import os
import signal
import time

from voiceguide.live import signals


def test_ctrl_c_sigterm_and_sighup_set_the_stop_reason_and_raise_nothing_and_restore_puts_back_the_old_handlers() -> (
    None
):
    heard: list[str] = []
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    handlers = signals.install(heard.append)
    try:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            os.kill(os.getpid(), signum)  # a KeyboardInterrupt here would fail the test
            time.sleep(0.01)  # Python runs the handler between bytecodes of this thread
    finally:
        signals.restore(handlers)
    assert heard == ["interrupted", "terminated", "hangup"]
    assert {s: signal.getsignal(s) for s in before} == before
