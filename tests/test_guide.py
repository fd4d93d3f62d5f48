"""`voiceguide guide`: one self-contained page, checked in a real headless Chromium (render, screenshot, print)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from voiceguide.cli import cli


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def chromium(*args: str, page: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        from conftest import missing

        missing("chromium (scripts/setup.sh --test installs it)")
    flags = ["--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"]
    return subprocess.run([exe, *flags, *args, page.as_uri()], capture_output=True, text=True, timeout=120, check=True)


def console_messages(page: Path) -> list[str]:
    return [line for line in chromium("--dump-dom", page=page).stderr.splitlines() if ":CONSOLE" in line]


@pytest.fixture(scope="module")
def guide(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("guide") / "evening.html"
    run("guide", "evening", "-o", str(path))
    return path


def test_the_guide_holds_the_title_length_chart_steps_tones_and_safety(guide: Path) -> None:
    page = guide.read_text()
    assert "<h1>Evening foot acupressure for stress</h1>" in page and re.search(r"About \d+ minutes", page)
    assert page.count("<svg") == 1 and "</svg>" in page
    rows = re.findall(r'<td class="n">(\d+)</td><td class="code"><b>(\w+)</b>', page)
    assert rows == [("1", "LR3"), ("2", "LR4"), ("3", "SP4"), ("4", "SP3"), ("5", "KI6"), ("6", "KI1")]
    assert "press 5 s,<br>release 3 s" in page and "10 min, both feet at once" in page
    assert "High tone</b>: press." in page and "never painful" in page


def test_the_guide_is_self_contained_with_no_scripts(guide: Path) -> None:
    page = guide.read_text()
    assert not re.search(r"<script|(href|src)\s*=|url\(|@import|<link", page)


def test_the_guide_follows_the_pacing_flags(tmp_path: Path) -> None:
    out = tmp_path / "g.html"
    run("guide", "evening", "--only", "SP-4,KD-6", "--press", "7", "--minutes", "SP-4=2", "-o", str(out))
    page = out.read_text()
    assert re.findall(r"<b>(\w+)</b><br>", page) == ["SP4", "KI6"]
    assert "2 min each foot" in page and "press 7 s,<br>release 3 s" in page


def test_the_guide_renders_in_chromium_without_console_messages(guide: Path, tmp_path: Path) -> None:
    # The check itself can fail: a page that logs an error is caught.
    bad = tmp_path / "bad.html"
    bad.write_text('<html><body><script>console.error("broken")</script></body></html>')
    assert console_messages(bad), "console messages are seen at all"
    assert console_messages(guide) == []


def test_a_screenshot_of_the_guide_is_not_blank(guide: Path, tmp_path: Path) -> None:
    import av

    shot = tmp_path / "shot.png"
    chromium(f"--screenshot={shot}", "--window-size=900,1300", page=guide)
    with av.open(str(shot)) as container:
        frame = next(container.decode(video=0))
    gray = frame.to_ndarray(format="gray")
    assert gray.shape == (1300, 900)
    assert (gray < 100).mean() > 0.01, "dark ink: text and lines"
    assert (gray > 240).mean() > 0.5, "on a white page"


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_the_guide_prints_on_at_most_two_pages(guide: Path, tmp_path: Path, paper: str) -> None:
    from pypdf import PdfReader

    page = tmp_path / f"{paper}.html"
    page.write_text(guide.read_text().replace("size: auto;", f"size: {paper};"))
    pdf = tmp_path / f"{paper}.pdf"
    chromium(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page=page)
    reader = PdfReader(pdf)
    assert 1 <= len(reader.pages) <= 2
    width = float(reader.pages[0].mediabox.width)
    assert abs(width - (595 if paper == "A4" else 612)) < 2, "printed on the paper asked for"


def test_a_long_user_routine_still_prints_on_two_pages(tmp_path: Path) -> None:
    from pypdf import PdfReader

    steps = "".join(
        f'[[steps]]\npoint = "{code}"\nname = "{code}"\nlocation = "{"Somewhere on the foot. " * 4}"\n'
        f'instructions = "{"Press and release with the tones. " * 3}"\ntechnique = "cycles"\nminutes = 1\n'
        'sides = "both"\n'
        for code in ("SP1", "SP2", "SP3", "SP4", "SP5", "LR1", "LR2", "LR3", "KI3", "KI6")
    )
    routine = tmp_path / "long.toml"
    routine.write_text(f'title = "Ten points"\n{steps}')
    out = tmp_path / "long.html"
    run("guide", str(routine), "-o", str(out))
    pdf = tmp_path / "long.pdf"
    chromium(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page=out)
    assert len(PdfReader(pdf).pages) <= 2


def test_an_unknown_guide_suffix_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["guide", "evening", "-o", str(tmp_path / "g.pdf")])
    assert result.exit_code == 1 and result.output.strip().endswith("the guide is written as .html")


@pytest.mark.parametrize("tag", ["de", "es", "fr", "pt-BR", "zh"])
def test_a_translated_guide_prints_on_at_most_two_a4_pages_without_console_messages(tmp_path: Path, tag: str) -> None:
    from pypdf import PdfReader

    out = tmp_path / "guide.html"
    run("guide", "evening", "--lang", tag, "-o", str(out))
    out.write_text(out.read_text(encoding="utf-8").replace("size: auto;", "size: A4;"), encoding="utf-8")
    pdf = tmp_path / "guide.pdf"
    printed = chromium(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page=out)
    assert [line for line in printed.stderr.splitlines() if ":CONSOLE" in line] == []
    assert 1 <= len(PdfReader(pdf).pages) <= 2
