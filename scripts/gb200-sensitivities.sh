#!/usr/bin/env bash
# The GB200 rows of data/unseen-runs.csv (dgxc's NeMo 25.04 BF16 and FP8 runs) under the gb200-nvl72 preset as it is and with
# each constant that was estimated or chosen moved to its alternative (docs/validation-notes.md, "GB200"): the sustained BF16
# GEMM efficiency at the ends of its range (0.593, 0.67), Hopper's FP8 transposes, the H100's FP8 half-dimension (768), and
# the H100's HBM fraction (0.88). Prints mean and max |error| of the BF16 and FP8 rows for each. About 1.5 minutes on 2 cores.
source "$(dirname "$0")/build-emulator.sh"

variant() {
  local name=$1
  shift
  local sets=()
  for s in "$@"; do sets+=(--set "$s"); done
  "${emu[@]}" validate data/unseen-runs.csv --only 'gb200-*' --out "$out/$name" --jobs 2 ${sets[@]+"${sets[@]}"} \
    > "$out/$name.log" 2>&1 || { cat "$out/$name.log" >&2; echo "$(basename "$0"): validating variant $name failed" >&2; exit 1; }
  python3 - "$name" "$out/$name/validation.json" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
rows = json.load(open(path))["rows"]
def summary(kind):
    errors = [abs(r["error"]) for r in rows if r["id"].endswith("-fp8") == (kind == "fp8")]
    return f"{kind} {100 * sum(errors) / len(errors):4.1f}% / {100 * max(errors):4.1f}%"
print(f"{name:<28} {summary('bf16')}   {summary('fp8')}")
PY
}

variant preset
variant bf16-gemm-0.593 card.efficiency.gemm=0.593
variant bf16-gemm-0.67 card.efficiency.gemm=0.67
variant fp8-transposes card.fp8-transposes=true
variant fp8-half-dim-768 card.efficiency.gemm-fp8-half-dim=768
variant hbm-0.88 card.efficiency.memory=0.88
