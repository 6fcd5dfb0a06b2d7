#!/usr/bin/env bash
# Regenerates the results table of docs/results.md: jqi qat on Fashion-MNIST with the cnn. The float model is
# trained once (with the first preset's run) and every other preset quantizes that same float model, so the rows
# differ only in quantization. Needs Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or
# FASHION_MNIST=DIR pointing at the IDX files. About 9 minutes for the first preset and 3 for each other on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-runs/accuracy}
data=${FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
presets=(${PRESETS:-w8a8 w4a8 w4a4 w2a3})
seed=${SEED:-0}

run() { # preset, model, output directory
  if [ -f "$3/report.json" ]; then
    echo "== $1: already done in $3" >&2
    return
  fi
  local resume=()
  [ -d "$3/checkpoint" ] && resume=(--resume)
  ./jqi qat --dataset fashion-mnist --data "$data" --model "$2" --preset "$1" --seed "$seed" --out "$3" "${resume[@]}"
}

first="$out/fashion-mnist-cnn-${presets[0]}"
run "${presets[0]}" cnn "$first"
dirs=("$first")
for preset in "${presets[@]:1}"; do
  dir="$out/fashion-mnist-cnn-$preset"
  run "$preset" "$first/float.jqi" "$dir"
  dirs+=("$dir")
done
./jqi table "${dirs[@]}"
