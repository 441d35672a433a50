#!/usr/bin/env bash
# Makes the README's pictures from the real program. Each screen is driven
# on the demo organisation (fixed clock, seed and size) and written as HTML
# (its ANSI styles as spans) and as text; headless Chromium photographs the
# HTML (Chromium draws the emoji). The same
# inputs give the same images. The text renderings stay beside the PNGs:
# `go test ./ui` fails when a screen no longer matches its picture.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null || ! fc-list | grep -qi "Noto Color Emoji" || ! fc-list | grep -qi "DejaVu Sans Mono"; then
  echo "installing chromium and fonts (apt-get)"
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji fonts-dejavu-core
fi

out=screenshots
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
go test ./ui -run '^TestScreenshotsAreCurrent$' -count=1 -args -screenshots "$work"

for f in "$work"/*.html; do
  name=$(basename "$f" .html)
  cols=$(wc -L < "$work/$name.txt")
  lines=$(wc -l < "$work/$name.txt")
  {
    printf '<!doctype html><meta charset="utf-8"><style>\n'
    printf 'html,body{margin:0;background:#1b1d23}\n'
    printf '.frame{display:inline-block;margin:16px;padding:14px 18px;background:#15171c;border-radius:10px;box-shadow:0 6px 24px #0008}\n'
    printf '.term{font:15px/1.25 "DejaVu Sans Mono","Noto Color Emoji",monospace;color:#e6e6e6;white-space:pre;margin:0}\n'
    printf '</style><div class="frame"><pre class="term">'
    cat "$f"
    printf '</pre></div>\n'
  } > "$work/$name.page.html"
  # 9.1 px a column and 18.75 px a line at 15px DejaVu Sans Mono, plus the frame.
  width=$(( cols * 91 / 10 + 90 ))
  height=$(( (lines + 1) * 1875 / 100 + 70 ))
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$work/profile" \
    --force-device-scale-factor=1 --window-size="$width,$height" \
    --screenshot="$(pwd)/$out/$name.png" "file://$work/$name.page.html" >/dev/null 2>&1
  cp "$work/$name.txt" "$out/$name.txt"
  echo "wrote $out/$name.png"
done
