#!/usr/bin/env bash
# Regenerate the README's pictures: docs/evening-chart.png and docs/guide-screenshot.png (needs chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$python" -m voiceguide chart evening -o docs/evening-chart.png --force
"$python" -m voiceguide guide evening -o "$tmp/evening.html"
chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=900,1250 \
  --screenshot=docs/guide-screenshot.png "file://$tmp/evening.html" 2>/dev/null
echo "Wrote docs/evening-chart.png and docs/guide-screenshot.png"
