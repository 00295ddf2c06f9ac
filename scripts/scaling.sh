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
# GNU time gives the build-only run's process wall and peak RSS; not every minimal image has it (Debian/Ubuntu: 'time').
[[ -x /usr/bin/time ]] || { echo "scaling.sh: needs GNU time as /usr/bin/time (Debian/Ubuntu package 'time')" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# build PROJECT DIR: a Release build into DIR; quiet, but the compiler's output is shown if it fails.
build() {
  dotnet build "$1" -c Release -o "$2" --nologo -v quiet > "$out/build.log" 2>&1 ||
    { cat "$out/build.log" >&2; echo "scaling.sh: building $1 failed" >&2; exit 1; }
}
build src/Emulator.Cli "$out/bin"
emu="$out/bin/emulator"
# Built before the runs, so that a broken plot tool shows at once and not after hours of emulation.
if [[ -n "$png" ]]; then build benchmarks/Emulator.Plots "$out/plots"; fi

# field FILE KEY...: the top-level JSON fields KEY..., space-separated.
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(*(d[k] for k in sys.argv[2:]))" "$@"; }
# fail MESSAGE: the emulator has printed why on stderr; say which run it was and stop.
fail() { echo "scaling.sh: $1 failed (the emulator's message is above)" >&2; exit 1; }
mkdir -p "$(dirname "$csv")"
: >> "$csv"  # writable? (checked now, not after the runs; an existing CSV is replaced only once the first size has run)
header=cards,actors,build_s,build_peak_rss_mb,mirrored_wall_s,mirrored_events,mirrored_step_s,full_wall_s,full_events,full_barriers,full_peak_rss_mb,full_step_s,full_gc_pause_s
echo "| cards | actors | build | build peak RSS | mirrored step: wall / events / step time | full step: wall / events / barriers / peak RSS / step time |"
echo "|---|---|---|---|---|---|"
for dp in "${sizes[@]}"; do
  cards=$((512 * dp)); batch=$((64 * dp))
  sets=(--set cluster.cards=$cards --set parallel.dp=$dp --set parallel.global-batch=$batch ${extra[@]+"${extra[@]}"})
  # The emulator's own stderr stays on the terminal (a bad --set says why); time's figures go to a file.
  /usr/bin/time -f "%e %M" -o "$out/time.txt" "$emu" run hocon/scenarios/trillion-50k.conf --build-only "${sets[@]}" \
    > "$out/build.txt" || fail "the build-only run at dp $dp"
  actors=$(grep -o '[0-9,]* actors' "$out/build.txt" | head -1 | tr -d ',' | cut -d' ' -f1)
  read -r secs kb < "$out/time.txt"
  "$emu" run hocon/scenarios/trillion-50k.conf --quiet --out "$out/m$dp" "${sets[@]}" --set emulation.mirror-replicas=true ||
    fail "the mirrored step at dp $dp"
  read -r m_wall m_events <<< "$(field "$out/m$dp/run-stats.json" wall_time_s events)"
  m_step=$(field "$out/m$dp/result.json" step_time_s)
  mirrored="$m_wall s / $m_events / $m_step s"
  fullcol="not run (--full)" fullcsv=",,,,,"
  if [[ $full -eq 1 ]]; then
    "$emu" run hocon/scenarios/trillion-50k.conf --quiet --out "$out/f$dp" "${sets[@]}" || fail "the full step at dp $dp"
    read -r f_wall f_events f_barriers f_bytes f_gc <<< \
      "$(field "$out/f$dp/run-stats.json" wall_time_s events barriers peak_memory_bytes gc_pause_s)"
    f_step=$(field "$out/f$dp/result.json" step_time_s)
    fullcol="$f_wall s / $f_events / $f_barriers / $f_bytes B / $f_step s"
    fullcsv="$f_wall,$f_events,$f_barriers,$((f_bytes / 1048576)),$f_step,$f_gc"
  fi
  echo "| $cards | $actors | ${secs} s | $((kb / 1024)) MB | $mirrored | $fullcol |"
  # Row by row, so that a long run interrupted at a large size keeps the sizes it finished.
  if [[ -n "$header" ]]; then echo "$header" > "$csv"; header=""; fi
  echo "$cards,$actors,$secs,$((kb / 1024)),$m_wall,$m_events,$m_step,$fullcsv" >> "$csv"
done
echo "CSV: $csv" >&2
if [[ -n "$png" ]]; then
  "$out/plots/emulator-plots" scaling "$csv" "$png" >&2
fi
