#!/usr/bin/env bash
# Regenerates the results table of docs/results.md: jqi qat on Fashion-MNIST with the cnn. The float model is
# trained once (with the first preset's run) and every other preset quantizes that same float model, so the rows
# differ only in quantization. Needs Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or
# FASHION_MNIST=DIR pointing at the IDX files. About 9 minutes for the first preset and 3 for each other on 2 cores.
# MIXED=F (such as 0.5) adds two runs under a weights memory budget of F of the 8-bit memory: the mixed-precision search
# (w8a8 with QAT learning rate 0.001, as w4a8) and HMQ (examples/qat-hmq.json; HMQ is compiled with src-test's tests
# and put on JQI_CLASSPATH). ACTIVATION=F adds a run under an activation memory budget of F of the 8-bit activation
# memory, TOTAL=F one under a total (weights plus activations) memory budget, both from w8a8 with QAT learning rate
# 0.001. SEED=S changes the seed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-runs/accuracy}
data=${FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
presets=(${PRESETS:-w8a8 w4a8 w4a4 w2a3 w2a3-lsq})
seed=${SEED:-0}

run() { # preset, model, output directory, more jqi qat options
  if [ -f "$3/report.json" ]; then
    echo "== $1: already done in $3" >&2
    return
  fi
  local resume=()
  [ -d "$3/checkpoint" ] && resume=(--resume)
  local select=(--preset "$1")
  [[ "$1" == *.json ]] && select=(--config "$1")
  ./jqi qat --dataset fashion-mnist --data "$data" --model "$2" "${select[@]}" --seed "$seed" --out "$3" "${resume[@]}" \
    "${@:4}"
}

first="$out/fashion-mnist-cnn-${presets[0]}"
run "${presets[0]}" cnn "$first"
dirs=("$first")
for preset in "${presets[@]:1}"; do
  dir="$out/fashion-mnist-cnn-$preset"
  run "$preset" "$first/float.jqi" "$dir"
  dirs+=("$dir")
done
if [ -n "${MIXED:-}" ]; then
  run w8a8 "$first/float.jqi" "$out/fashion-mnist-cnn-mp$MIXED" --qat-lr 0.001 --weights-memory "$MIXED"
  dirs+=("$out/fashion-mnist-cnn-mp$MIXED")
  if [ ! -f src-test/target/test-classes/io/jqi/examples/HmqWeightQuantizer.class ]; then
    ./mvnw -B -ntp -q install -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -Ddokka.skip=true
  fi
  JQI_CLASSPATH=src-test/target/test-classes run examples/qat-hmq.json "$first/float.jqi" \
    "$out/fashion-mnist-cnn-hmq$MIXED" --weights-memory "$MIXED"
  dirs+=("$out/fashion-mnist-cnn-hmq$MIXED")
fi
for budget in ${ACTIVATION:+activation-memory:$ACTIVATION} ${TOTAL:+total-memory:$TOTAL}; do
  dir="$out/fashion-mnist-cnn-${budget%%:*}${budget#*:}"
  run w8a8 "$first/float.jqi" "$dir" --qat-lr 0.001 "--${budget%%:*}" "${budget#*:}"
  dirs+=("$dir")
done
./jqi table "${dirs[@]}"
