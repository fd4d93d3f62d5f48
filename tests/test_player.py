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
    routine, pacing, store, timeline, reference = session
    live = LiveSession(routine, SHORT, pacing, store=store)
    live.timeline = timeline
    player = Player(store.get, timeline.sample_rate, timeline)
    player.set_headroom(float(np.max(np.abs(reference))))
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


def test_volume_up_stops_where_the_loudest_sample_would_pass_minus_1_dbfs(session) -> None:
    _, _, store, timeline, reference = session
    player = Player(store.get, timeline.sample_rate, timeline)
    peak = float(np.max(np.abs(reference)))
    player.set_headroom(peak)
    answers = [player.change_volume(up=True) for _ in range(4)]
    assert answers[-1][1]  # it said it could go no louder
    out = run(player, -(-timeline.length // BLOCK))
    loudest = float(np.max(np.abs(out)))
    assert loudest <= 10 ** (-1 / 20) + 1e-6
    # It did get louder: up to -1 dBFS, or +6 dB where the session is quiet enough.
    assert loudest == pytest.approx(min(10 ** (-1 / 20), peak * 10 ** (6 / 20)), rel=1e-3)


def test_volume_up_on_a_loud_session_stops_at_its_headroom() -> None:
    from voiceguide.timeline import Event, Kind, Timeline

    rate, loud = 22050, np.full(22050, 0.8, dtype=np.float32)
    timeline = Timeline(rate, loud.size, (Event(0, loud.size, Kind.SPEECH, text="x"),), (), ())
    player = Player(lambda _text: loud, rate, timeline)
    player.set_headroom(0.8)
    volume, limited = player.change_volume(up=True)
    assert limited and volume == pytest.approx(10 ** (-1 / 20) / 0.8)
    assert np.max(np.abs(run(player, 21))) <= 10 ** (-1 / 20) + 1e-6


def test_every_control_is_answered_by_a_spoken_word_even_while_paused(live) -> None:
    live, player, timeline = live
    run(player, 20)
    said: list[str] = []
    live.controls.clip = lambda text: said.append(text) or live.store.get(text)
    for command in ("toggle", "toggle", "louder", "softer", "next", "previous", "repeat"):
        reply = live.controls.handle(command, player, timeline)
        assert reply is not None and reply.say, command
    assert said[:4] == ["Paused.", "Resuming.", "Louder.", "Softer."]
    player.toggle_pause()
    live.controls.handle("louder", player, timeline)
    assert player.paused
    assert np.max(np.abs(run(player, 60))) > 0.05  # "Louder." is heard although the session is paused


@pytest.mark.parametrize("verbosity", ["full", "brief", "minimal"])
def test_repeat_says_where_the_point_is_at_every_verbosity(standin: None, verbosity: str) -> None:
    from voiceguide.cues import sentences
    from voiceguide.live.controls import Controls
    from voiceguide.pacing import Pacing, Verbosity
    from voiceguide.prepare import build_timeline, open_store
    from voiceguide.routine import load_routine

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
    assert list(reply.say) == [f"{step.name}.", *sentences(step.location)]


def test_the_live_player_holds_exactly_at_a_wait_until_space_then_goes_on_at_full_level(short_session) -> None:
    from dataclasses import replace

    from voiceguide.live.controls import Controls
    from voiceguide.points import parse_point
    from voiceguide.prepare import build_timeline

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
    # A timeline silent for its first 10 blocks, then loud: a session at the headroom the volume keeps.
    from voiceguide.timeline import Event, Kind, Timeline

    rate, loud = 22050, np.full(22050, 0.8, dtype=np.float32)
    timeline = Timeline(rate, 10 * BLOCK + loud.size, (Event(10 * BLOCK, loud.size, Kind.SPEECH, text="x"),), (), ())
    player = Player(lambda _text: loud, rate, timeline)
    player.set_headroom(0.8)
    player.change_volume(up=True)  # as loud as it goes: the session's samples reach -1 dBFS
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


def test_before_the_session_is_measured_volume_up_goes_no_further_than_any_clip_or_tone_allows(session) -> None:
    from voiceguide.audio.tones import tone
    from voiceguide.prepare import peak_bound
    from voiceguide.speech.finish import CLIP_CEILING
    from voiceguide.timeline import TONE_SECONDS

    _, _, store, timeline, _ = session
    player = Player(store.get, timeline.sample_rate, timeline)
    assert player.change_volume(up=True) == (1.0, True)  # nothing known yet: no louder than the session's gain
    bound = peak_bound(timeline.sample_rate)
    loudest_tone = max(float(np.max(np.abs(tone(name, timeline.sample_rate)))) for name in TONE_SECONDS)
    assert bound >= CLIP_CEILING and bound >= loudest_tone
    player.set_headroom(bound)
    assert player.change_volume(up=True)[0] <= 10 ** (-1 / 20) / (bound * player.gain) + 1e-9


def test_when_the_gain_rises_the_volume_comes_down_to_keep_the_headroom(session) -> None:
    # A cold session plays with a guessed gain until its plan is measured: the measured one may be higher.
    _, _, store, timeline, _ = session
    player = Player(store.get, timeline.sample_rate, timeline, gain=1.0)
    player.set_headroom(0.5)
    volume, _ = player.change_volume(up=True)
    assert volume == pytest.approx(10 ** (3 / 20))  # room for +3 dB at gain 1
    player.set_timeline(timeline, gain=1.6)
    assert player.volume * 0.5 * 1.6 <= 10 ** (-1 / 20) + 1e-9
    assert np.max(np.abs(run(player, 40))) <= 10 ** (-1 / 20) + 1e-6
