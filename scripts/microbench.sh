#!/usr/bin/env bash
# Micro-benchmarks of the engine's hot paths with BenchmarkDotNet (docs/microbenchmarks.md): event queue, dispatch into
# actors, switch port timing. Wall-clock figures depend on the machine and its load; run by hand. Not part of CI.
# Usage: scripts/microbench.sh [FILTER] [BenchmarkDotNet options...]
#   scripts/microbench.sh                 # the whole suite (a few minutes on 2 cores: every class uses ShortRunJob)
#   scripts/microbench.sh '*Dispatch*'    # one class
#   scripts/microbench.sh --list flat     # every benchmark's name, nothing run
# Reports (markdown, csv) go to benchmarks/Emulator.MicroBenchmarks/bin/BenchmarkDotNet.Artifacts/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
project=benchmarks/Emulator.MicroBenchmarks
# The first argument is the filter unless it is an option: `scripts/microbench.sh --list flat` lists every benchmark.
filter='*'
if [[ $# -gt 0 && "$1" != -* ]]; then filter=$1; shift; fi
dotnet build "$project/Emulator.MicroBenchmarks.csproj" -c Release --nologo -v quiet
dotnet "$project/bin/Release/net10.0/Emulator.MicroBenchmarks.dll" --filter "$filter" --artifacts "$project/bin/BenchmarkDotNet.Artifacts" "$@"
