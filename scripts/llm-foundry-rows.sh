# Sourced by the llm-foundry check scripts: builds the emulator into a temporary folder and writes the mpt rows of
# data/unseen-runs.csv as validate emulates them. Sets emu (the command, an array), out (the temporary folder, removed on
# exit) and rows (the rows' scenarios, OUT/v/rows/ID.conf). The scripts take no arguments.
source "$(dirname "${BASH_SOURCE[0]}")/build-emulator.sh"
"${emu[@]}" validate data/unseen-runs.csv --only 'mpt-*' --out "$out/v" --jobs 2 > "$out/validate.log" 2>&1 ||
  { cat "$out/validate.log" >&2; echo "$(basename "$0"): validating the mpt rows of data/unseen-runs.csv failed" >&2; exit 1; }
rows="$out/v/rows"
