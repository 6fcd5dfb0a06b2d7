#!/usr/bin/env bash
# Runs cuda-kernels' tests with the bundled Java runtime: first the GPU-tagged tests, then the rest. Needs only an
# NVIDIA driver (libcuda.so.1): no JDK, no Maven, no network. Without a usable GPU the GPU tests skip with the
# reason, and the script says so. Reports go to $OUT/test-reports if OUT is set, else ./results/test-reports.
# Exit status: 0 when nothing failed, 1 otherwise.
# JQI_JAVA_OPTS adds JVM options, e.g. JQI_JAVA_OPTS=-Djqi.cuda.gemm=jqi to run the training tests on jqi's GEMM
# (default auto: cuBLAS where libcublas.so.12 loads; CudaBackendGpuTest always uses jqi's, CublasGemmGpuTest both).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
results=${OUT:-$PWD/results}
# A private temporary directory: JCuda unpacks its natives there, so no stale copy from elsewhere is used.
mkdir -p "$results/test-reports" "$results/tmp"
java="$here/runtime/bin/java"
classpath=$(printf '%s:' "$here"/lib/*.jar)"$here/test-classes"
console="$here/tools/junit-platform-console-standalone.jar"

if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | sed 's/^/[gpu] /'
else
  echo "[gpu] nvidia-smi not found: the GPU tests will skip unless libcuda.so.1 still loads"
fi

run_pass() {
  local name=$1
  shift
  echo
  echo "=== $name ==="
  "$java" -Xmx8g "-Djava.io.tmpdir=$results/tmp" ${JQI_JAVA_OPTS:-} -jar "$console" execute --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii \
    --class-path "$classpath" --scan-class-path "$here/test-classes" \
    --reports-dir "$results/test-reports/$name" "$@" 2>&1 | tee "$results/$name.log"
  return "${PIPESTATUS[0]}"
}

summary() {
  local log=$1 key=$2
  grep -E "tests $key" "$log" | head -1 | tr -dc '0-9'
}

run_pass gpu-tests --include-tag gpu
gpu_status=$?
run_pass other-tests --exclude-tag gpu
other_status=$?

echo
echo "=== summary ==="
for pass in gpu-tests other-tests; do
  log="$results/$pass.log"
  printf '%-12s successful %6s   skipped %6s   aborted %6s   failed %6s\n' "$pass" \
    "$(summary "$log" successful)" "$(summary "$log" skipped)" "$(summary "$log" aborted)" "$(summary "$log" failed)"
done
gpu_ok=$(summary "$results/gpu-tests.log" successful)
if [ "${gpu_ok:-0}" = "0" ]; then
  reason=$(grep -m1 -o 'CUDA is unavailable: .*' "$results/gpu-tests.log" || true)
  echo "WARNING: no GPU test ran on this host. ${reason}"
fi
if [ "$gpu_status" -ne 0 ] || [ "$other_status" -ne 0 ]; then
  echo "FAILED (gpu-tests exit $gpu_status, other-tests exit $other_status); logs and reports in $results"
  exit 1
fi
echo "PASSED; logs and reports in $results"
