#!/usr/bin/env bash
# Regenerates the results table of docs/results.md: jqi qat on Fashion-MNIST (cnn) with every preset, then one
# Markdown row per run. Needs Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or
# FASHION_MNIST=DIR pointing at the IDX files. Takes about as long as the runs it lists (see docs/results.md).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-runs/accuracy}
data=${FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
presets=${PRESETS:-w8a8 w4a8 w4a4 w2a3}
seed=${SEED:-0}
dirs=()
for preset in $presets; do
  dir="$out/fashion-mnist-cnn-$preset"
  if [ -f "$dir/report.json" ]; then
    echo "== $preset: already done in $dir" >&2
  elif [ -d "$dir/checkpoint" ]; then
    ./jqi qat --dataset fashion-mnist --data "$data" --model cnn --preset "$preset" --seed "$seed" --out "$dir" --resume "$@"
  else
    ./jqi qat --dataset fashion-mnist --data "$data" --model cnn --preset "$preset" --seed "$seed" --out "$dir" "$@"
  fi
  dirs+=("$dir")
done
./jqi table "${dirs[@]}"
