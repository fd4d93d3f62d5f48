#!/usr/bin/env bash
# Put `voiceguide` on PATH: a link ~/.local/bin/voiceguide -> this checkout's .venv/bin/voiceguide.
# Never asks (CI and other non-interactive runs cannot hang here) and never replaces a `voiceguide` that is
# not one of ours.
#   scripts/link.sh          link when ~/.local/bin is on PATH (setup.sh runs this); else say how
#   scripts/link.sh --force  link even when ~/.local/bin is not on PATH yet, and say what to add to PATH
set -euo pipefail
cd "$(dirname "$0")/.."

force=0
[ "${1:-}" = --force ] && force=1
target="$PWD/.venv/bin/voiceguide"
bin="$HOME/.local/bin"
link="$bin/voiceguide"
on_path=0
case ":$PATH:" in *":$bin:"* | *":$bin/:"*) on_path=1 ;; esac

if [ ! -x "$target" ]; then
  echo "no $target yet: run bash scripts/setup.sh first" >&2
  exit 1
fi
if [ -L "$link" ] && [ "$(readlink "$link")" = "$target" ]; then
  exit 0 # already ours: nothing to say on a second run
fi
if [ -e "$link" ] || [ -L "$link" ]; then
  echo "voiceguide: $link exists and is not a link to $target; left as it is (run $target, or replace the link)"
  exit 0
fi
if [ "$on_path" = 0 ] && [ "$force" = 0 ]; then
  echo "voiceguide is $target; to type just \`voiceguide\`: bash scripts/setup.sh --link (a link in ~/.local/bin)"
  exit 0
fi
mkdir -p "$bin"
ln -s "$target" "$link"
echo "Linked $link -> $target: \`voiceguide\` now runs it from any folder (delete the link to undo)."
if [ "$on_path" = 0 ]; then
  echo "~/.local/bin is not on your PATH yet: add  export PATH=\"\$HOME/.local/bin:\$PATH\"  to ~/.bashrc"
fi
