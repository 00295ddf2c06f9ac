# Sourced by the llm-foundry check scripts: builds the emulator into a temporary folder and writes the mpt rows of
# data/unseen-runs.csv as validate emulates them. Sets emu (the command, an array), out (the temporary folder, removed on
# exit) and rows (the rows' scenarios, OUT/v/rows/ID.conf).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet build src/Emulator.Cli -c Release -o "$out/emu" --nologo -v quiet > /dev/null
emu=(dotnet "$out/emu/emulator.dll")
"${emu[@]}" validate data/unseen-runs.csv --only 'mpt-*' --out "$out/v" --jobs 2 > /dev/null 2>&1
rows="$out/v/rows"
