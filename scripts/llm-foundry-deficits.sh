#!/usr/bin/env bash
# How much longer than emulated a microbatch of MosaicML's llm-foundry benchmarks takes, on A100 and on H100, for the same
# configurations (docs/validation-notes.md, "The shared deficit"). Published tokens/s per GPU: scripts/train/benchmarking/
# README.md and h100new.md (the rows of data/unseen-runs.csv, plus the 3B at 512 tokens and the 13B's micro-batch pair of
# larger_mb_1.md, run here from the rows' scenarios with --set). Prints, per configuration and card, the published and
# emulated time of one microbatch (a step's share), their difference and the throughput error. About 30 s on 2 cores.
source "$(dirname "$0")/llm-foundry-rows.sh"

# name, row scenario, published tokens/s per GPU, micro batch, sequence length, then --set overrides.
deficit() {
  local name=$1 conf=$2 published=$3 micro=$4 seq=$5
  shift 5
  local sets=()
  for s in "$@"; do sets+=(--set "$s"); done
  "${emu[@]}" run "$rows/$conf" ${sets[@]+"${sets[@]}"} --out "$out/$name" --quiet > /dev/null
  python3 - "$name" "$out/$name/result.json" "$published" "$micro" "$seq" <<'PY'
import json, sys
name, path, published, micro, seq = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
r = json.load(open(path))
tokens = micro * seq                                   # one microbatch on one GPU
emulated = r["tokens_per_s"] / r["cards"]
pub_ms, emu_ms = 1000 * tokens / published, 1000 * tokens / emulated
print(f"{name:<22} microbatch {tokens:>6} tokens: published {pub_ms:8.1f} ms  emulated {emu_ms:8.1f} ms  longer by {pub_ms - emu_ms:6.1f} ms"
      f"  (tokens/s {100 * (emulated / published - 1):+.1f}%)")
PY
}

deficit 7b-2k-a100   mpt-7b-2k-a100.conf    4641 6 2048
deficit 7b-2k-h100   mpt-7b-2k-8h100.conf  10643 6 2048
deficit 1b-2k-a100   mpt-1b-2k-a100.conf   20513 14 2048
deficit 1b-2k-h100   mpt-1b-2k-8h100.conf  45455 14 2048
deficit 3b-512-a100  mpt-3b-2k-a100.conf   12127 40 512 model.seq-len=512 parallel.micro-batch=40 parallel.global-batch=1920
deficit 3b-512-h100  mpt-3b-2k-a100.conf   27965 40 512 model.seq-len=512 parallel.micro-batch=40 parallel.global-batch=1920 \
  hardware=h100-80g-roce card.efficiency.attention=0.21667
# Where the triton attention dominates (h100new.md, not rows of the CSV): the same excess on H100 as where GEMMs do.
deficit 7b-32k-h100  mpt-7b-8k-8h100.conf   3318 2 32768 model.seq-len=32768 parallel.micro-batch=2 parallel.global-batch=32
deficit 7b-64k-h100  mpt-7b-8k-8h100.conf   1956 1 65536 model.seq-len=65536 parallel.micro-batch=1 parallel.global-batch=16
deficit 13b-2k-mb1-a100 mpt-13b-2k-a100.conf 1867 1 2048 parallel.micro-batch=1 parallel.global-batch=16
deficit 13b-2k-mb2-a100 mpt-13b-2k-a100.conf 2228 2 2048 parallel.micro-batch=2 parallel.global-batch=32
