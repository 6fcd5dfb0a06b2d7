#!/usr/bin/env bash
# Compiles every .cu in SRC_DIR to PTX in OUT_DIR when nvcc is on the PATH; skips cleanly otherwise.
# compute_75 is the oldest virtual architecture nvcc 13 accepts; the driver JIT-compiles PTX for newer GPUs.
# -fmad=false: no fused multiply-add contraction, and -ftz=false: subnormals kept, as in Java; together they make
# the kernels round exactly like the CPU reference.
# OUT_DIR/index.txt lists the module names, one a line, so that the jar can tell which PTX it bundles.
set -euo pipefail
src_dir=$1 out_dir=$2 skip=${3:-false}

# PTX left by an earlier build would contradict "building without PTX".
remove_ptx() {
  rm -f "$out_dir"/*.ptx "$out_dir"/index.txt
}

if [ "$skip" = "true" ]; then
  remove_ptx
  echo "[jqi] nvcc step skipped (-Djqi.skipNvcc=true): the jar has no PTX, CUDA is unavailable at run time"
  exit 0
fi
if ! command -v nvcc >/dev/null 2>&1; then
  remove_ptx
  echo "[jqi] nvcc not found on PATH: building without PTX; jqi runs on the CPU"
  exit 0
fi
mkdir -p "$out_dir"
shopt -s nullglob
names=()
for cu in "$src_dir"/*.cu; do
  name=$(basename "$cu" .cu)
  names+=("$name")
  out="$out_dir/$name.ptx"
  if [ "$out" -nt "$cu" ] && [ "$out" -nt "$0" ] && [ -z "$(find "$src_dir" -name '*.cuh' -newer "$out")" ]; then
    continue
  fi
  echo "[jqi] nvcc $name.cu -> ptx"
  nvcc -ptx -arch=compute_75 -fmad=false -ftz=false -O3 -std=c++17 -o "$out.tmp" "$cu"
  mv "$out.tmp" "$out"
done
printf '%s\n' "${names[@]}" >"$out_dir/index.txt.tmp"
mv "$out_dir/index.txt.tmp" "$out_dir/index.txt"
