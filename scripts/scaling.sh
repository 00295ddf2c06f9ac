#!/usr/bin/env bash
# Scaling curve of the trillion-parameter family (docs/performance.md): the 1T GPT of trillion-50k with growing dp
# (512 cards per replica: tp 8 x pp 64), 64 microbatches per pipeline at every size. For each size it builds every
# actor (--build-only: actors, build time, peak memory), emulates one step with replicas mirrored, and, with --full,
# one step with every actor live (long beyond a few thousand cards). Prints a markdown table. Not part of CI.
# Usage: scripts/scaling.sh [--full] [dp ...]   (default dp: 2 8 32 98 196 = 1k, 4k, 16k, 50k, 100k cards)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
full=0
if [[ "${1:-}" == "--full" ]]; then full=1; shift; fi
sizes=("$@"); [[ ${#sizes[@]} -eq 0 ]] && sizes=(2 8 32 98 196)
out=$(mktemp -d)
dotnet build src/Emulator.Cli -c Release -o "$out/bin" --nologo -v quiet > /dev/null
emu="$out/bin/emulator"

stat() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d$2)" "$1"; }
echo "| cards | actors | build | build peak RSS | mirrored step: wall / events / step time | full step: wall / events / barriers / peak RSS / step time |"
echo "|---|---|---|---|---|---|"
for dp in "${sizes[@]}"; do
  cards=$((512 * dp)); batch=$((64 * dp))
  sets=(--set cluster.cards=$cards --set parallel.dp=$dp --set parallel.global-batch=$batch)
  build=$( { /usr/bin/time -f "%e %M" "$emu" run hocon/scenarios/trillion-50k.conf --build-only "${sets[@]}" > "$out/build.txt"; } 2>&1 | tail -1)
  actors=$(grep -o '[0-9,]* actors' "$out/build.txt" | head -1 | tr -d ',' | cut -d' ' -f1)
  "$emu" run hocon/scenarios/trillion-50k.conf --quiet --out "$out/m$dp" "${sets[@]}" --set emulation.mirror-replicas=true
  mirrored="$(stat "$out/m$dp/run-stats.json" "['wall_time_s']") s / $(stat "$out/m$dp/run-stats.json" "['events']") / $(stat "$out/m$dp/result.json" "['step_time_s']") s"
  fullcol="not run (--full)"
  if [[ $full -eq 1 ]]; then
    "$emu" run hocon/scenarios/trillion-50k.conf --quiet --out "$out/f$dp" "${sets[@]}"
    fullcol="$(stat "$out/f$dp/run-stats.json" "['wall_time_s']") s / $(stat "$out/f$dp/run-stats.json" "['events']") / $(stat "$out/f$dp/run-stats.json" "['barriers']") / $(stat "$out/f$dp/run-stats.json" "['peak_memory_bytes']") B / $(stat "$out/f$dp/result.json" "['step_time_s']") s"
  fi
  read -r secs kb <<< "$build"
  echo "| $cards | $actors | ${secs} s | $((kb / 1024)) MB | $mirrored | $fullcol |"
done
rm -rf "$out"
