#!/usr/bin/env bash
# MosaicML ran the same llm-foundry configurations on a torch 2.0.1 image (PURE mixed precision: bf16 gradient
# reduction; PyTorch's non-reentrant checkpoint recomputes whole blocks) and on the torch 2.1.0 nightly behind
# data/unseen-runs.csv's mpt rows (DEFAULT: fp32 reduction; the checkpoint stops early). This emulates each configuration
# both ways and prints the emulated change from one image to the other beside the published one (docs/validation-notes.md,
# "Early stop"). Published tokens/s per GPU: llm-foundry scripts/train/benchmarking/torches.md, h100old.md and torch2.md
# (2.0.1) against README.md and h100new.md (2.1). About a minute on 2 cores.

# The rows' scenarios as validate writes them (the image's own settings: early stop, fp32 reduction, ...).
source "$(dirname "$0")/llm-foundry-rows.sh"

tokens() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['tokens_per_s'] / r['cards'])" "$1"; }

# name, row scenario, recompute on 2.0 (full for checkpointed configurations, none otherwise), published 2.0.1 and 2.1
# tokens/s per GPU, then --set overrides that turn the row into the configuration.
compare() {
  local name=$1 conf=$2 recompute=$3 old=$4 new=$5
  shift 5
  local sets=()
  for s in "$@"; do sets+=(--set "$s"); done
  "${emu[@]}" run "$rows/$conf" ${sets[@]+"${sets[@]}"} --set training.recompute="$recompute" \
    --set training.half-precision-grads=true --out "$out/$name-2.0" --quiet > /dev/null
  "${emu[@]}" run "$rows/$conf" ${sets[@]+"${sets[@]}"} --out "$out/$name-2.1" --quiet > /dev/null
  python3 - "$name" "$(tokens "$out/$name-2.0/result.json")" "$(tokens "$out/$name-2.1/result.json")" "$old" "$new" \
    "$out/differences" <<'PY'
import sys
name, (e_old, e_new, p_old, p_new), log = sys.argv[1], map(float, sys.argv[2:6]), sys.argv[6]
emulated, published = 100 * (e_new / e_old - 1), 100 * (p_new / p_old - 1)
print(f"{name:<24} emulated {emulated:+5.1f}%   published {published:+5.1f}%")
with open(log, "a") as f: f.write(f"{abs(emulated - published)}\n")
PY
}

echo "configuration            change from torch 2.0.1 (PURE) to 2.1 (DEFAULT), tokens/s per GPU"
compare a100-7b-8k     mpt-7b-8k-a100.conf   full 3030 3206
compare a100-7b-32k    mpt-7b-32k-a100.conf  full 1648 1672
compare a100-13b-8k    mpt-13b-4k-a100.conf  full 1689 1795 model.seq-len=8192 parallel.micro-batch=5 parallel.global-batch=120
compare a100-13b-32k   mpt-13b-4k-a100.conf  full 988 1016 model.seq-len=32768 parallel.micro-batch=1 parallel.global-batch=24
compare a100-30b-2k    mpt-30b-2k-a100.conf  full 863 916
compare a100-30b-1k    mpt-30b-1k-a100.conf  full 888 946
compare a100-30b-512   mpt-30b-1k-a100.conf  full 901 967 model.seq-len=512 parallel.micro-batch=12 parallel.global-batch=2016
compare a100-1b-2k-unckpt mpt-1b-2k-a100.conf none 20612 20513
compare h100-30b-1k    mpt-30b-2k-8h100.conf full 2047 2084 model.seq-len=1024 parallel.micro-batch=6 parallel.global-batch=1008
compare h100-30b-2k    mpt-30b-2k-8h100.conf full 1962 2002
compare h100-30b-4k    mpt-30b-4k-8h100.conf full 1734 1802
compare h100-7b-8k     mpt-7b-8k-8h100.conf  full 6794 6935
compare h100-7b-32k    mpt-7b-8k-8h100.conf  full 3247 3318 model.seq-len=32768 parallel.micro-batch=2 parallel.global-batch=32
python3 - "$out/differences" <<'PY'
import sys
d = [float(x) for x in open(sys.argv[1])]
print(f"{len(d)} configurations: emulated change within {sum(d) / len(d):.1f} points of the published one on average, {max(d):.1f} at most")
PY
