#!/usr/bin/env bash
# Throughput benchmark: the engine's events/s against a plain priority-queue event loop (docs/performance.md).
# Wall-clock numbers depend on the machine and its load; run it by hand on a quiet machine. Not part of CI.
# Extra arguments go to every run, e.g. scripts/bench.sh --repeat 3 (keep the fastest of 3), --breakdown (PHOLD only)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build benchmarks/Emulator.Benchmarks/Emulator.Benchmarks.csproj -c Release --nologo -v quiet
bench=(dotnet benchmarks/Emulator.Benchmarks/bin/Release/net10.0/Emulator.Benchmarks.dll)

echo "== PHOLD: plain loop vs engine (1 and 2 partitions)"
"${bench[@]}" "$@"
for scenario in hocon/scenarios/quickstart.conf hocon/scenarios/gpt-20b-1024.conf; do
  echo
  echo "== real emulation: $scenario"
  "${bench[@]}" --scenario "$scenario" "$@"
done
