#!/usr/bin/env bash
# Builds .gpu-bundle/: everything needed to run jqi's GPU tests and GPU benchmarks on a Linux x86-64 host that has only
# an NVIDIA driver (no JDK, no Maven, no network). Copy the directory over, then run ./run-tests.sh and ./run-bench.sh.
#
#   scripts/gpu-bundle.sh              build (./mvnw -o package -DskipTests), then assemble .gpu-bundle/
#   scripts/gpu-bundle.sh --no-build   assemble from the existing target/ directories
#
# Contents: runtime/ (a jlink image of the JDK modules the jars need), lib/ (jqi's core, cuda-kernels and serialization jars
# with their runtime dependencies, JCuda and its linux-x86_64 natives included), test-classes/ (cuda-kernels' tests,
# GPU-tagged and not, and the benchmark mains), tools/ (the JUnit console launcher), ptx/ (the kernels as bundled in
# the jar, for inspection), python/ (the PyTorch comparison scripts), run-tests.sh and run-bench.sh. The jqi CLI is
# not included: its charting dependencies would need java.desktop, beyond the 60 MiB budget.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/.gpu-bundle"
build=1
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    *) echo "usage: $0 [--no-build]" >&2; exit 2 ;;
  esac
done
# The launcher's version follows the JUnit BOM in the root pom (JUnit 5.x.y <-> Platform 1.x.y).
junit=$(sed -n 's:.*<junit.version>5\.\([0-9.]*\)</junit.version>.*:\1:p' "$root/pom.xml")
console_version="1.$junit"
limit_mib=60
cd "$root"

if [ "$build" = 1 ]; then
  echo "[bundle] ./mvnw -B -ntp -o -q package -DskipTests"
  ./mvnw -B -ntp -o -q package -DskipTests
fi
for f in core/target/jqi-core-*.jar cuda-kernels/target/jqi-cuda-kernels-*.jar serialization/target/jqi-serialization-*.jar \
    cuda-kernels/target/test-classes; do
  [ -e "$f" ] || { echo "[bundle] missing $f: run without --no-build" >&2; exit 1; }
done
if ! unzip -l cuda-kernels/target/jqi-cuda-kernels-*.jar 'io/jqi/cuda/ptx/*.ptx' >/dev/null 2>&1; then
  echo "[bundle] the cuda-kernels jar has no PTX (built without nvcc or with -Djqi.skipNvcc=true)" >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$out/lib" "$out/tools" "$out/ptx" "$out/python"

# Runtime dependencies of cuda-kernels and serialization, resolved offline from the local repository.
deps=$(mktemp -d)
trap 'rm -rf "$deps"' EXIT
./mvnw -B -ntp -o -q -pl cuda-kernels,serialization -am dependency:build-classpath -DincludeScope=runtime \
  "-Dmdep.outputFile=$deps/\${project.artifactId}.classpath"
# Each file is one line without a final newline: split every file on its own.
for f in "$deps"/*.classpath; do tr ':' '\n' <"$f"; echo; done | grep -v '/io/jqi/' | grep -v '^$' | sort -u |
    while read -r jar; do
  cp "$jar" "$out/lib/"
done
cp core/target/jqi-core-*.jar cuda-kernels/target/jqi-cuda-kernels-*.jar serialization/target/jqi-serialization-*.jar "$out/lib/"
rm -f "$out"/lib/*-sources.jar "$out"/lib/*-tests.jar

console_jar="$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/$console_version/junit-platform-console-standalone-$console_version.jar"
if [ ! -f "$console_jar" ]; then
  echo "[bundle] fetching junit-platform-console-standalone $console_version from Maven Central (once)"
  ./mvnw -B -ntp -q dependency:get "-Dartifact=org.junit.platform:junit-platform-console-standalone:$console_version"
fi
cp "$console_jar" "$out/tools/junit-platform-console-standalone.jar"

cp -r cuda-kernels/target/test-classes "$out/test-classes"
(cd "$out/ptx" && unzip -q -j "$root"/cuda-kernels/target/jqi-cuda-kernels-*.jar 'io/jqi/cuda/ptx/*')
cp cuda-kernels/src/test/python/*.py "$out/python/"
cp scripts/gpu-bundle/run-tests.sh scripts/gpu-bundle/run-bench.sh "$out/"
chmod +x "$out/run-tests.sh" "$out/run-bench.sh"

# The JDK modules every jar needs (jdeps, jar by jar against the whole class path), plus those used reflectively:
# jdk.unsupported (sun.misc.Unsafe, for libraries that probe it) and java.xml (the launcher's XML reports).
classpath=$(printf '%s:' "$out"/lib/*.jar "$out"/tools/*.jar)
modules="java.base,java.logging,java.xml,jdk.unsupported"
for jar in "$out"/lib/*.jar "$out"/tools/*.jar "$out/test-classes"; do
  if found=$(jdeps --multi-release 17 --ignore-missing-deps --print-module-deps -q --class-path "$classpath" \
      "$jar" 2>/dev/null); then
    modules="$modules,$found"
  fi
done
# java.desktop is left out: only core's image readers (io.jqi.data.ImageFolder) use it, and nothing the bundle runs
# reads images; it would add about 12 MiB.
modules=$(echo "$modules" | tr ',' '\n' | grep -v -e '^$' -e '^java.desktop$' | sort -u | paste -sd, -)
echo "[bundle] jlink --add-modules $modules"
# --add-options: every java of the image adds the Vector API module, which core's GEMM kernel uses when present.
jlink --add-modules "$modules" --add-options="--add-modules jdk.incubator.vector" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out/runtime"
# The JDK's libjvm.so carries its symbol table; the runtime does not need it (about 4 MiB).
if command -v strip >/dev/null 2>&1; then
  find "$out/runtime/lib" -name '*.so' -exec strip --strip-unneeded {} +
fi

size_kib=$(du -sk "$out" | cut -f1)
echo "[bundle] $out: $((size_kib / 1024)) MiB ($(du -sh "$out" | cut -f1))"
if [ "$size_kib" -ge $((limit_mib * 1024)) ]; then
  echo "[bundle] larger than $limit_mib MiB" >&2
  exit 1
fi
