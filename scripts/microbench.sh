#!/usr/bin/env bash
# Micro-benchmarks of the engine's hot paths with BenchmarkDotNet (docs/microbenchmarks.md): event queue, dispatch into
# actors, switch port timing. Wall-clock figures depend on the machine and its load; run by hand. Not part of CI.
# Usage: scripts/microbench.sh [FILTER] [BenchmarkDotNet options...]
#   scripts/microbench.sh                 # the whole suite (a few minutes on 2 cores: every class uses ShortRunJob)
#   scripts/microbench.sh '*Dispatch*'    # one class; --list flat shows every benchmark's name
# Reports (markdown, csv) go to benchmarks/Emulator.MicroBenchmarks/bin/BenchmarkDotNet.Artifacts/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
project=benchmarks/Emulator.MicroBenchmarks
filter="${1:-*}"
if [ $# -gt 0 ]; then shift; fi
dotnet build "$project/Emulator.MicroBenchmarks.csproj" -c Release --nologo -v quiet
dotnet "$project/bin/Release/net10.0/Emulator.MicroBenchmarks.dll" --filter "$filter" --artifacts "$project/bin/BenchmarkDotNet.Artifacts" "$@"
