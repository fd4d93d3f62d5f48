"""The foot drawn from data: every point inside its view and on the right side of its landmarks; `chart`."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from voiceguide.chart.foot import LENGTH, VIEWS
from voiceguide.chart.locations import LOCATIONS, location
from voiceguide.chart.shapes import inside, x_at
from voiceguide.cli import cli
from voiceguide.routine.points import parse_point

MERIDIAN_POINTS = [
    *(f"SP{n}" for n in range(1, 6)),
    *(f"LR{n}" for n in range(1, 5)),
    *(f"KI{n}" for n in range(1, 7)),
    *(f"ST{n}" for n in range(41, 46)),
    *(f"BL{n}" for n in range(60, 68)),
    *(f"GB{n}" for n in range(40, 45)),
]
EVENING = ["LR3", "LR4", "SP4", "SP3", "KI6", "KI1"]


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def lm(view: str, key: str):
    return VIEWS[view].landmarks[key]


def test_every_foot_and_ankle_point_of_the_six_meridians_has_a_place_and_words() -> None:
    assert sorted(LOCATIONS) == sorted(MERIDIAN_POINTS)
    for code, loc in LOCATIONS.items():
        assert parse_point(code).code == code
        assert loc.view in VIEWS and loc.where.endswith(".") and len(loc.where) > 20


@pytest.mark.parametrize("code", MERIDIAN_POINTS)
def test_each_point_lies_inside_the_outline_of_its_view(code: str) -> None:
    loc = LOCATIONS[code]
    assert inside(loc.at, VIEWS[loc.view].outline)


def test_hand_and_head_points_are_not_on_the_chart() -> None:
    assert location("LI4") is None and location("GV20") is None and location("Liv-3") is LOCATIONS["LR3"]


def test_liver_3_is_between_the_first_and_second_metatarsals_two_centimetres_back_from_the_web() -> None:
    x, y = LOCATIONS["LR3"].at
    assert LOCATIONS["LR3"].view == "dorsal"
    mt1, mt2 = lm("dorsal", "mt1").points, lm("dorsal", "mt2").points
    assert x_at(*mt1, y) < x < x_at(*mt2, y)
    assert y > max(mt1[0][1], mt2[0][1]), "behind the heads of the two bones, on their shafts"
    web = lm("dorsal", "web12").points[0]
    assert 15 <= ((x - web[0]) ** 2 + (y - web[1]) ** 2) ** 0.5 <= 25, "1.5-2.5 cm at the drawing's scale (mm)"


def test_kidney_6_is_just_below_the_inner_ankle_bone() -> None:
    (cx, cy), r = lm("medial", "malleolus").points[0], lm("medial", "malleolus").radius
    loc = LOCATIONS["KI6"]
    assert loc.view == "medial" and abs(loc.at[0] - cx) < r and cy + r < loc.at[1] < cy + r + 15


def test_kidney_1_is_on_the_sole_in_its_front_third_behind_the_ball() -> None:
    loc = LOCATIONS["KI1"]
    web, heel = lm("plantar", "web23").points[0], lm("plantar", "heel_back").points[0]
    assert loc.view == "plantar"
    share = (loc.at[1] - web[1]) / (heel[1] - web[1])
    assert 0.25 <= share <= 0.36, "a third of the way from the 2nd-3rd toe web to the heel"
    assert loc.at[1] < web[1] + (heel[1] - web[1]) / 3 + 5
    ball_back = max(y for _, y in lm("plantar", "ball").points)
    assert loc.at[1] > ball_back, "in the hollow behind the ball of the foot"
    assert heel[1] - lm("plantar", "pad1").points[0][1] < LENGTH


def test_spleen_3_and_4_lie_on_the_sole_edge_either_side_of_the_big_toe_joint_and_the_bone_base() -> None:
    head, base = lm("medial", "mt1_head").points[0], lm("medial", "mt1_base").points[0]
    sp3, sp4 = LOCATIONS["SP3"].at, LOCATIONS["SP4"].at
    assert head[0] < sp3[0] < base[0], "SP3 behind the big toe joint (toes are on the left)"
    assert sp4[0] < base[0] and sp4[1] > base[1], "SP4 in front of and below the base of the 1st metatarsal"
    assert LOCATIONS["SP2"].at[0] < head[0] < sp3[0]


def test_liver_4_is_in_front_of_the_inner_ankle_bone_and_behind_the_front_tendon() -> None:
    (cx, cy), r = lm("medial", "malleolus").points[0], lm("medial", "malleolus").radius
    x, y = LOCATIONS["LR4"].at
    tendon = lm("medial", "tib_ant").points
    assert x < cx - r and abs(y - cy) < r
    assert x > x_at(tendon[1], tendon[2], y), "on the ankle side of the tibialis anterior tendon"


def test_kidney_3_lies_between_the_inner_ankle_bone_and_the_achilles_tendon() -> None:
    (cx, _), r = lm("medial", "malleolus").points[0], lm("medial", "malleolus").radius
    x, y = LOCATIONS["KI3"].at
    achilles = lm("medial", "achilles").points
    assert cx + r < x < x_at(achilles[1], achilles[2], y)


def test_bladder_62_is_below_the_outer_ankle_bone_and_60_behind_it() -> None:
    (cx, cy), r = lm("lateral", "malleolus").points[0], lm("lateral", "malleolus").radius
    assert LOCATIONS["BL62"].at[1] > cy + r and abs(LOCATIONS["BL62"].at[0] - cx) < r
    assert LOCATIONS["BL60"].at[0] < cx - r, "toes are on the right of the outer view: behind is left"


def test_stomach_and_gallbladder_points_lie_between_their_metatarsals() -> None:
    for code, (a, b) in {"ST43": ("mt2", "mt3"), "GB42": ("mt4", "mt5")}.items():
        x, y = LOCATIONS[code].at
        assert x_at(*lm("dorsal", a).points, y) < x < x_at(*lm("dorsal", b).points, y), code


def test_the_evening_chart_marks_its_six_points_numbered_in_session_order(tmp_path: Path) -> None:
    out = tmp_path / "evening.svg"
    run("chart", "evening", "-o", str(out))
    svg = out.read_text()
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag.endswith("svg")
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    for n, code in enumerate(EVENING, start=1):
        assert any(t.startswith(code) for t in texts), code
        assert str(n) in texts
    legend = [t for t in texts if re.match(r"[A-Z]{2}\d+ ", t)]
    assert [t.split()[0] for t in legend] == EVENING, "the legend lists them in session order"
    assert any("steady hold; 10 min, both feet at once" in t for t in texts)
    assert any("press and release; 3 min each foot; press 5 s, release 3 s" in t for t in texts)


def test_a_chart_is_self_contained(tmp_path: Path) -> None:
    out = tmp_path / "c.svg"
    run("chart", "evening", "-o", str(out))
    svg = out.read_text()
    assert not re.search(r"(href|src)\s*=|url\(|@import|<script", svg)


def test_the_chart_follows_only_and_skip(tmp_path: Path) -> None:
    out = tmp_path / "two.svg"
    run("chart", "evening", "--only", "SP-4,KD-6", "-o", str(out))
    texts = ["".join(t.itertext()) for t in ET.parse(out).iter("{http://www.w3.org/2000/svg}text")]
    assert any(t.startswith("SP4 Spleen 4") for t in texts) and any(t.startswith("KI6 Kidney 6") for t in texts)
    assert not any(t.startswith(("LR3", "KI1")) for t in texts)
    assert "Top of the foot" not in texts and "Inner side" in texts, "only the views the session needs"
    run("chart", "evening", "--skip", "LR3", "-o", str(tmp_path / "skip.svg"), "--force")
    assert "LR3" not in (tmp_path / "skip.svg").read_text()


def test_a_point_off_the_foot_is_listed_as_not_on_this_chart(tmp_path: Path) -> None:
    routine = tmp_path / "hand.toml"
    routine.write_text(
        'title = "Hand and foot"\n'
        '[[steps]]\npoint = "LI4"\nname = "He Gu"\ntechnique = "hold"\nminutes = 1\nsides = "both"\n'
        '[[steps]]\npoint = "KI1"\nname = "Yong Quan"\ntechnique = "warmth"\nminutes = 2\nsides = "together"\n'
    )
    out = tmp_path / "hand.svg"
    run("chart", str(routine), "-o", str(out))
    texts = ["".join(t.itertext()) for t in ET.parse(out).iter("{http://www.w3.org/2000/svg}text")]
    assert any("not on this chart" in t for t in texts)
    assert "LI4" not in [t.strip() for t in texts], "never given a place on the foot"
    assert any(t.endswith("Yong Quan") for t in texts), "labelled with the routine's own name"


def test_a_routine_made_with_new_charts_and_guides(tmp_path: Path) -> None:
    routine = tmp_path / "mine.toml"
    run("new", str(routine))
    run("chart", str(routine), "-o", str(tmp_path / "mine.png"))
    run("guide", str(routine), "-o", str(tmp_path / "mine.html"))
    assert (tmp_path / "mine.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in (tmp_path / "mine.html").read_text()


def test_a_png_chart_is_at_least_1000_pixels_on_its_long_side(tmp_path: Path) -> None:
    out = tmp_path / "evening.png"
    run("chart", "evening", "-o", str(out))
    assert out.stat().st_mode & 0o044 == 0o044 or os.umask(os.umask(0)) & 0o044, "readable by others, as files are"
    head = out.read_bytes()[:24]
    assert max(int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")) >= 1000


def test_without_o_the_chart_is_routine_chart_svg_and_an_existing_file_needs_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("chart", "evening").strip() == "Wrote evening-chart.svg"
    result = CliRunner().invoke(cli, ["chart", "evening"])
    assert result.exit_code == 1 and result.output.strip() == (
        "Error: evening-chart.svg already exists; use --force to overwrite it"
    )


def test_an_unknown_chart_suffix_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["chart", "evening", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and "a chart is written as .svg or .png" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_chart_and_guide_take_under_a_second_and_a_png_under_two(tmp_path: Path) -> None:
    import resource
    import subprocess
    import sys

    for args, limit in ((["chart", "evening", "-o", "c.svg"], 1.0), (["guide", "evening", "-o", "g.html"], 1.0),
                        (["chart", "evening", "-o", "c.png"], 2.0)):  # fmt: skip
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-m", "voiceguide", *args], cwd=tmp_path, check=True, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU time, not the clock: the test machine is shared; the wall-clock figures in the README are measured.
        assert (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime) < limit, args


def test_show_in_a_terminal_ends_with_a_hint_to_chart_and_guide_but_not_with_json_or_a_pipe() -> None:
    import os
    import pty
    import subprocess
    import sys

    main, tty = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "voiceguide", "show", "evening"], stdout=tty, stderr=tty)
    os.close(tty)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        out += chunk
    assert proc.wait(timeout=30) == 0
    os.close(main)
    last = out.decode().rstrip().splitlines()[-1]
    assert last.startswith("See where the points are: voiceguide chart evening") and "voiceguide guide evening" in last
    piped = subprocess.run([sys.executable, "-m", "voiceguide", "show", "evening"], capture_output=True, text=True)
    assert "voiceguide chart" not in piped.stdout
    assert "voiceguide chart" not in run("show", "evening", "--json")


def test_a_point_worked_twice_gets_one_marker_with_both_numbers(tmp_path: Path) -> None:
    routine = tmp_path / "twice.toml"
    step = '[[steps]]\npoint = "{}"\ntechnique = "cycles"\nminutes = 1\nsides = "both"\n'
    routine.write_text('title = "Twice"\n' + step.format("LR3") + step.format("SP4") + step.format("LR3"))
    out = tmp_path / "twice.svg"
    run("chart", str(routine), "-o", str(out))
    texts = ["".join(t.itertext()) for t in ET.parse(out).iter("{http://www.w3.org/2000/svg}text")]
    assert "1,3" in texts and "2" in texts
    assert [t.split()[0] for t in texts if re.match(r"[A-Z]{2}\d+ ", t)] == ["LR3", "SP4", "LR3"]
