"""The Player's mixing logic, driven block by block without a sound card (the stand-in engine)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from voiceguide.audio.render import render
from voiceguide.errors import AudioDeviceError
from voiceguide.live.mixer import CALLBACK_BLOCK as BLOCK
from voiceguide.live.mixer import Player
from voiceguide.live.output import open_output
from voiceguide.live.session import LiveSession, preroll

SHORT = str(Path(__file__).parent / "routines" / "short.toml")


@pytest.fixture
def session(short_session):
    routine, pacing, store, timeline = short_session
    return routine, pacing, store, timeline, np.concatenate(list(render(timeline, store.get)))


def run(player: Player, blocks: int) -> np.ndarray:
    return np.concatenate([player.fill(BLOCK) for _ in range(blocks)])


def test_playing_straight_through_gives_exactly_the_rendered_session(session) -> None:
    _, _, store, timeline, reference = session
    player = Player(store.get, timeline.sample_rate, timeline)
    out = run(player, -(-timeline.length // BLOCK))
    assert np.array_equal(out[: timeline.length], reference)
    assert player.finished.is_set()


def test_a_pause_shifts_the_rest_of_the_timeline_by_exactly_the_paused_time(session) -> None:
    _, _, store, timeline, reference = session
    player = Player(store.get, timeline.sample_rate, timeline)
    before = run(player, 200)
    player.toggle_pause()
    during = run(player, 60)
    assert player.paused
    player.toggle_pause()
    after = run(player, -(-timeline.length // BLOCK) + 10)
    out = np.concatenate([before, during, after])
    held = player.paused_samples
    assert held > 0 and held % BLOCK == 0
    # The fades only touch a few blocks around the pause; everything after is the session, shifted by `held`.
    resume_at = 200 * BLOCK + 60 * BLOCK + 4 * BLOCK
    assert np.array_equal(out[resume_at : timeline.length + held], reference[resume_at - held :])
    assert np.all(out[(200 + 4) * BLOCK : (200 + 4) * BLOCK + held - 8 * BLOCK] == 0)
    assert np.array_equal(out[: 200 * BLOCK], reference[: 200 * BLOCK])


def test_pause_and_resume_fade_instead_of_cutting(session) -> None:
    _, _, store, timeline, _ = session
    player = Player(store.get, timeline.sample_rate, timeline)
    run(player, 60)  # into the opening speech
    player.toggle_pause()
    fading = run(player, 3)
    assert np.max(np.abs(np.diff(fading))) < 0.2
    assert np.all(run(player, 2) == 0)


def test_stopping_fades_out_within_200_ms(session) -> None:
    _, _, store, timeline, _ = session
    player = Player(store.get, timeline.sample_rate, timeline)
    run(player, 60)
    player.stop()
    blocks = 0
    while not player.stopped.is_set():
        player.fill(BLOCK)
        blocks += 1
    assert blocks * BLOCK / timeline.sample_rate <= 0.2


def test_the_volume_keys_change_the_level_by_3_db_without_a_jump(session) -> None:
    _, _, store, timeline, reference = session
    player = Player(store.get, timeline.sample_rate, timeline)
    run(player, 60)
    assert player.change_volume(up=False) == (pytest.approx(10 ** (-3 / 20)), False)
    run(player, 1)
    block = player.fill(BLOCK)
    start = player.position - BLOCK
    assert np.allclose(block, reference[start : start + BLOCK] * 10 ** (-3 / 20), atol=1e-6)


@pytest.fixture
def live(session):
    routine, pacing, store, timeline, _ = session
    live = LiveSession(routine, SHORT, pacing, store=store)
    live.timeline = timeline
    player = Player(store.get, timeline.sample_rate, timeline)
    return live, player, timeline


def settle(player: Player) -> None:
    run(player, 6)  # fade out, jump, fade in


def test_next_jumps_to_the_start_of_the_next_point(live) -> None:
    live, player, timeline = live
    run(player, 20)
    live.controls.handle("next", player, timeline)
    settle(player)
    first = timeline.steps[0].start
    assert first <= player.position <= first + 6 * BLOCK
    live.controls.handle("next", player, timeline)
    settle(player)
    assert timeline.steps[1].start <= player.position <= timeline.steps[1].start + 6 * BLOCK


def test_previous_restarts_the_point_or_goes_back_one_near_its_start(live) -> None:
    live, player, timeline = live
    second = timeline.steps[1]
    player.seek(second.start + 10 * timeline.sample_rate)
    settle(player)
    assert live.controls.handle("previous", player, timeline).message == "Restarting Liver 3"
    settle(player)
    assert second.start <= player.position <= second.start + 6 * BLOCK
    assert live.controls.handle("previous", player, timeline).message == "Back to Spleen 4"
    settle(player)
    assert timeline.steps[0].start <= player.position <= timeline.steps[0].start + 6 * BLOCK


def test_repeat_says_the_point_again_while_the_timeline_waits(live) -> None:
    live, player, timeline = live
    player.seek(timeline.steps[0].start + 5 * timeline.sample_rate)
    settle(player)
    held_before, position = player.paused_samples, player.position
    live.controls.handle("repeat", player, timeline)
    out = run(player, 80)
    assert player.paused_samples > held_before  # the session stood still while the cue played
    assert np.max(np.abs(out)) > 0.05
    assert player.position - position < 80 * BLOCK - (player.paused_samples - held_before) + BLOCK


def test_the_preroll_bell_plays_while_the_session_is_prepared_then_it_continues_seamlessly(session) -> None:
    _, _, store, timeline, reference = session
    first = preroll(timeline.sample_rate)
    player = Player(store.get, timeline.sample_rate, first, final=False)
    head = run(player, 30)
    player.set_timeline(timeline, 1.0)
    rest = run(player, -(-timeline.length // BLOCK))
    out = np.concatenate([head, rest])
    assert np.array_equal(out[: timeline.length], reference)


def test_the_preroll_waits_in_silence_if_preparing_takes_longer_than_the_bell(session) -> None:
    _, _, store, timeline, _ = session
    player = Player(store.get, timeline.sample_rate, preroll(timeline.sample_rate), final=False)
    run(player, 100)  # 4.6 s: past the 3 s bell
    assert player.position == player.timeline.length
    assert not player.finished.is_set()


def test_a_missing_portaudio_is_a_clear_error_with_the_fix(no_portaudio: None, session) -> None:
    _, _, store, timeline, _ = session
    with pytest.raises(AudioDeviceError, match=r"apt-get install libportaudio2.*voiceguide export"):
        open_output(Player(store.get, timeline.sample_rate, timeline), None)


def test_resampling_keeps_pitch_and_length_at_the_devices_rate(session) -> None:
    from voiceguide.live.output import Resampled

    _, _, store, timeline, _ = session
    player = Player(store.get, timeline.sample_rate, timeline)
    resampled = Resampled(player, 48000)
    seconds = 25
    out = np.concatenate([resampled.fill(2229) for _ in range(seconds * 48000 // 2229)])
    press = next(e for e in timeline.events if e.tone == "press" and e.start < (seconds - 1) * timeline.sample_rate)
    at = round(press.start * 48000 / timeline.sample_rate)
    segment = out[at + 200 : at + 200 + 4096]
    peak_hz = np.argmax(np.abs(np.fft.rfft(segment * np.hanning(segment.size)))) * 48000 / segment.size
    assert abs(peak_hz - 880) < 15
    assert abs(player.position * 48000 / timeline.sample_rate - out.size) < 48000 * 0.1


def test_every_control_is_answered_by_a_spoken_word_even_while_paused(live) -> None:
    live, player, timeline = live
    run(player, 20)
    said: list[str] = []
    live.controls.clip = lambda text: said.append(text) or live.store.get(text)
    for command in ("toggle", "toggle", "louder", "softer", "next", "previous", "repeat"):
        reply = live.controls.handle(command, player, timeline)
        assert reply is not None and reply.say, command
    assert said[:4] == ["Paused.", "Resuming.", "Volume plus three decibels.", "Normal volume."]
    player.toggle_pause()
    live.controls.handle("louder", player, timeline)
    assert player.paused
    assert np.max(np.abs(run(player, 60))) > 0.05  # the new volume is said although the session is paused


@pytest.mark.parametrize("verbosity", ["full", "brief", "minimal"])
def test_repeat_says_where_the_point_is_at_every_verbosity(standin: None, verbosity: str) -> None:
    from voiceguide.live.controls import Controls
    from voiceguide.plan.cues import sentences
    from voiceguide.plan.pacing import Pacing, Verbosity
    from voiceguide.prepare import build_timeline, open_store
    from voiceguide.routine.library import load_routine

    routine = load_routine("evening")
    pacing = Pacing(verbosity=Verbosity(verbosity), scale=0.05)
    store = open_store(pacing, cache=False)
    timeline = build_timeline(routine, pacing, store)
    player = Player(store.get, timeline.sample_rate, timeline)
    player.seek(timeline.steps[2].start + timeline.sample_rate)
    settle(player)
    reply = Controls(store.get, routine.steps).handle("repeat", player, timeline)
    step = routine.steps[2]
    store.close()
    assert list(reply.say) == ["Spleen four.", *sentences(step.location)]  # said with the number in words


def test_the_live_player_holds_exactly_at_a_wait_until_space_then_goes_on_at_full_level(short_session) -> None:
    from dataclasses import replace

    from voiceguide.live.controls import Controls
    from voiceguide.prepare import build_timeline
    from voiceguide.routine.points import parse_point

    routine, pacing, store, _ = short_session
    timeline = build_timeline(routine, replace(pacing, wait_before=(parse_point("LR3"),)), store, live=True)
    (wait,) = timeline.waits
    reference = np.concatenate(list(render(timeline, store.get, block=BLOCK)))
    player = Player(store.get, timeline.sample_rate, timeline)
    out = run(player, -(-wait // BLOCK) + 40)
    assert player.position == wait and player.waiting and player.paused
    assert np.array_equal(out[: wait - 10], reference[: wait - 10])
    reply = Controls(store.get, routine.steps).handle("toggle", player, timeline)
    assert reply is not None and not player.paused and not player.waiting
    after = run(player, 20)
    assert np.allclose(after, reference[wait : wait + after.size], atol=1e-6)  # no fade over the next words


def test_with_a_bed_the_live_mix_is_the_export_and_a_pause_keeps_the_bed_playing_quietly(short_session) -> None:
    from dataclasses import replace

    from voiceguide.prepare import bed_track, open_bed_source

    routine, pacing, store, timeline = short_session
    pacing = replace(pacing, bed="brown")
    source = open_bed_source(routine, pacing, store)
    exported = np.concatenate(
        list(render(timeline, store.get, block=BLOCK, bed=bed_track(source, pacing, timeline, store)))
    )
    player = Player(store.get, timeline.sample_rate, timeline, bed=bed_track(source, pacing, timeline, store))
    straight = run(player, 200)
    assert np.array_equal(straight, exported[: straight.size])  # one renderer: live is the export, bed and all
    player.toggle_pause()
    paused = run(player, 100)[-50 * BLOCK :]  # well after the fade-out
    rms = float(np.sqrt(np.mean(paused.astype(np.float64) ** 2)))
    assert 1e-4 < rms < 0.05  # the bed goes on, soft
    assert np.max(np.abs(np.diff(run(player, 10)))) < 0.05  # no jump while it runs on
    player.toggle_pause()
    resumed = run(player, 40)
    assert np.max(np.abs(np.diff(resumed))) < 0.3


def _hold_then_sound() -> tuple[Player, int]:
    # A timeline silent for its first 10 blocks, then loud: a session that peaks near -1 dBFS.
    from voiceguide.plan.timeline import Event, Kind, Timeline

    rate, loud = 22050, np.full(22050, 0.8, dtype=np.float32)
    timeline = Timeline(rate, 10 * BLOCK + loud.size, (Event(10 * BLOCK, loud.size, Kind.SPEECH, text="x"),), (), ())
    player = Player(lambda _text: loud, rate, timeline)
    return player, rate


def _answer() -> np.ndarray:
    answer = np.full(2 * BLOCK, 0.8, dtype=np.float32)  # as loud as a clip can be, with a clip's edge fades
    answer[:88] *= np.linspace(0, 1, 88, dtype=np.float32)
    answer[-88:] *= np.linspace(1, 0, 88, dtype=np.float32)
    return answer


def test_a_pause_in_silence_is_answered_from_the_first_sample_of_the_next_block() -> None:
    player, _ = _hold_then_sound()
    run(player, 3)  # silence: where a spoken command is heard (the guide is not speaking)
    player.toggle_pause()
    player.interject(_answer())
    out = run(player, 3)
    assert np.allclose(out[: 2 * BLOCK], _answer() * player.gain * player.volume)
    assert np.all(out[2 * BLOCK :] == 0)


def test_over_sound_the_answer_waits_for_the_fade_and_never_passes_minus_1_dbfs() -> None:
    player, rate = _hold_then_sound()
    run(player, 12)  # into the loud part
    player.toggle_pause()
    player.interject(_answer())
    out = run(player, 4)
    fade = round(0.04 * rate)
    assert np.all(out[fade:BLOCK] == 0)  # the session faded out alone
    assert np.allclose(out[BLOCK : 3 * BLOCK], _answer() * player.gain * player.volume)
    assert np.max(np.abs(out)) <= 10 ** (-1 / 20) + 1e-6


def limited(player: Player, blocks: int) -> tuple[np.ndarray, int]:
    """What the live output sends the card (the player through its look-ahead limiter), and its delay."""
    from voiceguide.live.output import Limited

    output = Limited(player)
    return np.concatenate([output.fill(BLOCK) for _ in range(blocks)]), output.limiter.delay


def test_volume_goes_up_to_plus_9_db_and_the_live_output_never_passes_minus_1_dbfs(session) -> None:
    _, _, store, timeline, reference = session
    blocks = -(-timeline.length // BLOCK) + 1
    player = Player(store.get, timeline.sample_rate, timeline)
    answers = [player.change_volume(up=True) for _ in range(4)]
    assert [round(20 * np.log10(v)) for v, _ in answers] == [3, 6, 9, 9] and [at for _, at in answers][-2:] == [
        False,
        True,
    ]
    loud, delay = limited(player, blocks)
    quiet, _ = limited(Player(store.get, timeline.sample_rate, timeline), blocks)
    assert float(np.max(np.abs(loud))) <= 10 ** (-1 / 20) + 1e-6
    # Under the ceiling the limiter changes nothing: at the start volume, the session itself, a little late.
    assert np.max(np.abs(reference)) <= 10 ** (-1 / 20)
    assert np.array_equal(quiet[delay : delay + timeline.length], reference)
    # And +9 dB is louder: by 9 dB where the session is quiet, a little less where its peaks were turned down.
    gain_db = 10 * np.log10(np.mean(loud.astype(np.float64) ** 2) / np.mean(quiet.astype(np.float64) ** 2))
    assert 6.0 < gain_db <= 9.01


def test_the_live_limiter_turns_a_loud_tone_down_smoothly_instead_of_clipping_it() -> None:
    from voiceguide.plan.timeline import Event, Kind, Timeline

    rate = 22050
    tone = (0.8 * np.sin(2 * np.pi * 441 * np.arange(rate) / rate)).astype(np.float32)  # 441 Hz: whole cycles
    timeline = Timeline(rate, 10 * BLOCK + tone.size, (Event(10 * BLOCK, tone.size, Kind.SPEECH, text="x"),), (), ())
    player = Player(lambda _text: tone, rate, timeline)
    for _ in range(3):
        player.change_volume(up=True)  # +9 dB: peaks at 2.2, far past full scale
    out, delay = limited(player, 40)
    assert float(np.max(np.abs(out))) <= 10 ** (-1 / 20) + 1e-6
    steady = out[delay + 10 * BLOCK + rate // 4 : delay + 10 * BLOCK + rate // 4 + rate // 2]  # half a second
    spectrum = np.abs(np.fft.rfft(steady))
    fundamental, third = spectrum[441 // 2], spectrum[3 * 441 // 2]  # bins of 2 Hz
    assert 20 * np.log10(third / fundamental) < -40  # clipped at -1 dBFS instead: -11 dB
    assert np.max(np.abs(np.diff(out))) < 0.2  # no step where the tone begins
