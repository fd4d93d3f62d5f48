#!/usr/bin/env bash
# A virtual sound card for machines without one (tests, CI, headless boxes): a PulseAudio user daemon
# with a null sink "vsink", the default output; record what was played from "vsink.monitor". A second null sink
# "vmic" is a virtual microphone: its monitor is the default input, so `paplay -d vmic f.wav` is heard by listeners.
#   eval "$(scripts/vsink.sh start [DIR])"   start it; prints the environment its clients need
#   scripts/vsink.sh stop [DIR]              stop it
# DIR holds the daemon's runtime files (default /tmp/voiceguide-vsink). Clients must share its
# XDG_RUNTIME_DIR, or PortAudio's device list is silently empty.
set -euo pipefail
cmd=${1:-start}
dir=${2:-/tmp/voiceguide-vsink}
export XDG_RUNTIME_DIR="$dir/runtime" HOME="$dir/home" PULSE_RUNTIME_PATH="$dir/runtime/pulse"
case "$cmd" in
  start)
    mkdir -p "$XDG_RUNTIME_DIR" "$HOME"
    chmod 700 "$XDG_RUNTIME_DIR"
    if ! pactl info >/dev/null 2>&1; then
      # norewinds=1: without it every new stream stalled about 2 s on this sink.
      pulseaudio -D -n --exit-idle-time=-1 --disallow-exit --system=false \
        --load=module-native-protocol-unix \
        --load="module-null-sink sink_name=vsink rate=48000 channels=2 norewinds=1" \
        --load="module-null-sink sink_name=vmic rate=48000 channels=1 norewinds=1" \
        --load=module-always-sink >"$dir/pulseaudio.log" 2>&1
      for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
      pactl info >/dev/null 2>&1 || { cat "$dir/pulseaudio.log" >&2; echo "PulseAudio did not start" >&2; exit 1; }
    fi
    # A daemon started by an older version of this script has no vmic yet.
    pactl list short sinks | grep -q $'\tvmic\t' ||
      pactl load-module module-null-sink sink_name=vmic rate=48000 channels=1 norewinds=1 >/dev/null
    pactl set-default-sink vsink
    pactl set-default-source vmic.monitor
    echo "export XDG_RUNTIME_DIR='$XDG_RUNTIME_DIR' HOME='$HOME' PULSE_RUNTIME_PATH='$PULSE_RUNTIME_PATH'"
    ;;
  stop)
    pactl info >/dev/null 2>&1 && pulseaudio --kill 2>/dev/null || true
    ;;
  *) echo "usage: $0 start|stop [DIR]" >&2; exit 2 ;;
esac
