#!/usr/bin/env bash
# Runs the GPU benchmarks with the bundled Java runtime: every main class io.jqi.cuda.bench.*Bench in the test
# classes, each given the results directory as its argument, after the PyTorch scripts in python/ when
# `python3 -c 'import torch'` works (FakeQuantGpuBench reads their CSV for its PyTorch columns).
# Results go to $OUT if set, else ./results. Exit status: non-zero if any benchmark failed.
# JQI_JAVA_OPTS adds JVM options: JQI_JAVA_OPTS=-Djqi.cuda.gemm=jqi (or =cublas) times one GEMM; the training-step
# benchmark's header names the GEMM that ran.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
results=${OUT:-$PWD/results}
mkdir -p "$results/tmp"
java="$here/runtime/bin/java"
classpath=$(printf '%s:' "$here"/lib/*.jar)"$here/test-classes"
status=0

if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi | tee "$results/nvidia-smi.txt"
fi

if command -v python3 >/dev/null 2>&1 && python3 -c 'import torch' >/dev/null 2>&1; then
  for script in "$here"/python/*_bench.py; do
    echo "=== $(basename "$script") ==="
    python3 "$script" "$results" 2>&1 | tee "$results/$(basename "$script" .py).txt" || status=1
  done
else
  echo "python3 with torch is not available: the PyTorch comparison columns stay empty"
fi

for class in "$here"/test-classes/io/jqi/cuda/bench/*Bench.class; do
  [ -e "$class" ] || continue
  name=$(basename "$class" .class)
  echo "=== $name ==="
  "$java" -Xmx8g "-Djava.io.tmpdir=$results/tmp" ${JQI_JAVA_OPTS:-} -cp "$classpath" "io.jqi.cuda.bench.$name" "$results" 2>&1 | tee "$results/$name.txt"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
echo "results in $results"
exit $status
