# Sourced by the check scripts that take no arguments: answers -h/--help with the calling script's top comment, refuses
# arguments, moves to the repository and builds the emulator into a temporary folder. Sets out (the folder, removed on exit)
# and emu (the command, an array).
set -euo pipefail
if [[ $# -gt 0 ]]; then
  if [[ "$1" == -h || "$1" == --help ]]; then sed -n '2,/^\([^#]\|$\)/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0; fi
  echo "$(basename "$0"): takes no arguments (got '$1'); see the comment at its top or docs/validation-notes.md" >&2
  exit 2
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Quiet, but a failing build shows its output (the compiler's errors go to stdout) and stops the script.
dotnet build src/Emulator.Cli -c Release -o "$out/emu" --nologo -v quiet > "$out/build.log" 2>&1 ||
  { cat "$out/build.log" >&2; echo "$(basename "$0"): building src/Emulator.Cli failed" >&2; exit 1; }
emu=(dotnet "$out/emu/emulator.dll")
