#!/usr/bin/env bash
# Scaling curve of the trillion-parameter family (docs/performance.md): the 1T GPT of trillion-50k with growing dp
# (512 cards per replica: tp 8 x pp 64), 64 microbatches per pipeline at every size. For each size it builds every
# actor (--build-only: actors, build time, peak memory), emulates one step with replicas mirrored, and, with --full,
# one step with every actor live (long beyond a few thousand cards). Prints a markdown table and writes the same
# figures to a CSV, one row per size (full_* columns empty without --full; peak RSS in MB); with --png, draws the CSV
# with benchmarks/Emulator.Plots (step wall time against events, peak RSS against actors). Not part of CI.
# Usage: scripts/scaling.sh [--full] [--set key=value ...] [--csv FILE] [--png FILE] [dp ...]
#   default dp: 2 8 32 98 196 (= 1k, 4k, 16k, 50k, 100k cards); default CSV: the repo's out/scaling.csv; no PNG.
#   --set goes to every run, e.g. --set emulation.rdma-chunk=1MiB (finer NIC sharing than the default whole writes).
#   Redraw a PNG from a CSV without rerunning anything:
#   dotnet run --project benchmarks/Emulator.Plots -c Release -- scaling FILE.csv FILE.png
set -euo pipefail
usage() { sed -n 's/^# \{0,1\}//; 8,12p' "$0"; }
full=0 csv="" png="" sizes=() extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --full) full=1; shift ;;
    --csv|--png)
      [[ $# -ge 2 && -n "$2" ]] || { echo "scaling.sh: $1 needs a file name" >&2; usage >&2; exit 2; }
      if [[ "$1" == --csv ]]; then csv=$2; else png=$2; fi
      shift 2 ;;
    --set)
      [[ $# -ge 2 && "$2" == *=* ]] || { echo "scaling.sh: --set needs key=value" >&2; usage >&2; exit 2; }
      extra+=(--set "$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *[!0-9]*|"") echo "scaling.sh: unknown argument '$1' (dp sizes are whole numbers)" >&2; usage >&2; exit 2 ;;
    *) sizes+=("$1"); shift ;;
  esac
done
[[ ${#sizes[@]} -eq 0 ]] && sizes=(2 8 32 98 196)
# Paths given by the caller are relative to where it was called from; the script then works from the repo root.
[[ -n "$csv" ]] && csv=$(realpath -m "$csv")
[[ -n "$png" ]] && png=$(realpath -m "$png")
cd "$(dirname "$0")/.."
[[ -z "$csv" ]] && csv=$PWD/out/scaling.csv
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet build src/Emulator.Cli -c Release -o "$out/bin" --nologo -v quiet > /dev/null
emu="$out/bin/emulator"
# Built before the runs, so that a broken plot tool shows at once and not after hours of emulation.
[[ -n "$png" ]] && dotnet build benchmarks/Emulator.Plots -c Release -o "$out/plots" --nologo -v quiet > /dev/null

# stat FILE KEY...: the top-level JSON fields KEY..., space-separated.
stat() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(*(d[k] for k in sys.argv[2:]))" "$@"; }
mkdir -p "$(dirname "$csv")"
echo "cards,actors,build_s,build_peak_rss_mb,mirrored_wall_s,mirrored_events,mirrored_step_s,full_wall_s,full_events,full_barriers,full_peak_rss_mb,full_step_s,full_gc_pause_s" > "$csv"
echo "| cards | actors | build | build peak RSS | mirrored step: wall / events / step time | full step: wall / events / barriers / peak RSS / step time |"
echo "|---|---|---|---|---|---|"
for dp in "${sizes[@]}"; do
  cards=$((512 * dp)); batch=$((64 * dp))
  sets=(--set cluster.cards=$cards --set parallel.dp=$dp --set parallel.global-batch=$batch ${extra[@]+"${extra[@]}"})
  build=$( { /usr/bin/time -f "%e %M" "$emu" run hocon/scenarios/trillion-50k.conf --build-only "${sets[@]}" > "$out/build.txt"; } 2>&1 | tail -1)
  actors=$(grep -o '[0-9,]* actors' "$out/build.txt" | head -1 | tr -d ',' | cut -d' ' -f1)
  read -r secs kb <<< "$build"
  "$emu" run hocon/scenarios/trillion-50k.conf --quiet --out "$out/m$dp" "${sets[@]}" --set emulation.mirror-replicas=true
  read -r m_wall m_events <<< "$(stat "$out/m$dp/run-stats.json" wall_time_s events)"
  m_step=$(stat "$out/m$dp/result.json" step_time_s)
  mirrored="$m_wall s / $m_events / $m_step s"
  fullcol="not run (--full)" fullcsv=",,,,,"
  if [[ $full -eq 1 ]]; then
    "$emu" run hocon/scenarios/trillion-50k.conf --quiet --out "$out/f$dp" "${sets[@]}"
    read -r f_wall f_events f_barriers f_bytes f_gc <<< \
      "$(stat "$out/f$dp/run-stats.json" wall_time_s events barriers peak_memory_bytes gc_pause_s)"
    f_step=$(stat "$out/f$dp/result.json" step_time_s)
    fullcol="$f_wall s / $f_events / $f_barriers / $f_bytes B / $f_step s"
    fullcsv="$f_wall,$f_events,$f_barriers,$((f_bytes / 1048576)),$f_step,$f_gc"
  fi
  echo "| $cards | $actors | ${secs} s | $((kb / 1024)) MB | $mirrored | $fullcol |"
  # Row by row, so that a long run interrupted at a large size keeps the sizes it finished.
  echo "$cards,$actors,$secs,$((kb / 1024)),$m_wall,$m_events,$m_step,$fullcsv" >> "$csv"
done
echo "CSV: $csv" >&2
if [[ -n "$png" ]]; then
  "$out/plots/emulator-plots" scaling "$csv" "$png" >&2
fi
