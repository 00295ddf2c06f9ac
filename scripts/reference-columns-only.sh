#!/usr/bin/env bash
# How the unseen rows fare when a CSV gives only the reference file's columns (data/README.md's first 27), as runs
# transcribed by someone else would: the optional columns (slices, head_dim, linear_biases, tp_comm_overlap, ...) are
# dropped, so each row takes the defaults data/README.md gives. PaLM is left out: without `slices` its two pods run as
# two slices (tpu-v4's pod-chips), un-mirrored, about five minutes on its own; so are the FP8 rows, bf16 runs without their
# precision column. Writes OUT/unseen-reference-columns.csv, validates it into OUT/after
# and the full file into OUT/before (about 3.5 minutes each on 2 cores), then compares them.
# Usage: scripts/reference-columns-only.sh [OUT]   (from anywhere; OUT defaults to out/reference-columns-only under the repository,
# kept inside the repository so that no stray stacks/ or presets/ folder beside OUT is taken for the repository's)
set -euo pipefail
root=$(realpath "$(dirname "$0")/..")
out=$(realpath -m "${1:-$root/out/reference-columns-only}")
cd "$root"
mkdir -p "$out"
python3 - data/published-runs.csv data/unseen-runs.csv "$out/unseen-reference-columns.csv" <<'PY'
import csv, sys
reference, unseen, target = sys.argv[1:4]
columns = next(csv.reader(open(reference, newline="", encoding="utf-8")))
with open(target, "w", newline="", encoding="utf-8") as f:
    writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in csv.DictReader(open(unseen, newline="", encoding="utf-8")):
        # FP8 rows would run in bf16 without their precision column: a different run, left out as PaLM is.
        if row["id"] != "palm-540b" and row.get("precision", "") != "fp8":
            writer.writerow(row)
PY
emu=(dotnet run --project src/Emulator.Cli -c Release --)
"${emu[@]}" validate data/unseen-runs.csv --out "$out/before" --jobs 2 > "$out/before.txt"
"${emu[@]}" validate "$out/unseen-reference-columns.csv" --out "$out/after" --jobs 2 > "$out/after.txt"
"${emu[@]}" compare "$out/before" "$out/after"
