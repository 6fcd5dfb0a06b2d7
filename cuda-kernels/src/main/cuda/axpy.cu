// In-place target += alpha * x: CpuBackend.axpyInPlace (gradient accumulation and optimizer steps). Java rounds the
// product before the sum (t[i] += alpha * in[i]); so does this, with no FMA, so the update is bit-identical.

#include "jqi_common.cuh"

extern "C" __global__ void jqi_axpy(float* __restrict__ target, float alpha, const float* __restrict__ x,
        long long n) {
    for (long long i = first_index(); i < n; i += grid_stride()) {
        target[i] = __fadd_rn(target[i], __fmul_rn(alpha, x[i]));
    }
}
