#!/usr/bin/env bash
# Throughput benchmark: the engine's events/s against a plain priority-queue event loop (docs/performance.md).
# Wall-clock numbers depend on the machine and its load; run it by hand on a quiet machine. Not part of CI.
# Extra arguments go to every run, e.g. scripts/bench.sh --repeat 3 (keep the fastest of 3), --breakdown (PHOLD only).
# --scaling adds the trillion family's scaling curve (scripts/scaling.sh: build and mirrored step, 1k to 100k cards, about
# 40 s and 2 GB at 100k cards); --scaling-full runs it with every actor live as well (scripts/scaling.sh --full: about
# 5 minutes, docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
scaling=() args=()
for a in "$@"; do
  case "$a" in
    --scaling) scaling=(scripts/scaling.sh) ;;
    --scaling-full) scaling=(scripts/scaling.sh --full) ;;
    *) args+=("$a") ;;
  esac
done
dotnet build benchmarks/Emulator.Benchmarks/Emulator.Benchmarks.csproj -c Release --nologo -v quiet
bench=(dotnet benchmarks/Emulator.Benchmarks/bin/Release/net10.0/Emulator.Benchmarks.dll)

echo "== PHOLD: plain loop vs engine (1 and 2 partitions)"
"${bench[@]}" ${args[@]+"${args[@]}"}
for scenario in hocon/scenarios/quickstart.conf hocon/scenarios/gpt-20b-1024.conf; do
  echo
  echo "== real emulation: $scenario"
  "${bench[@]}" --scenario "$scenario" ${args[@]+"${args[@]}"}
done
if [[ ${#scaling[@]} -gt 0 ]]; then
  echo
  echo "== scaling curve: trillion family, 1k to 100k cards"
  "${scaling[@]}"
fi
