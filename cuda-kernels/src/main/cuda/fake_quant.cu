// Inferable fake-quant forward kernels, one thread per element with grid-stride loops over a row-major tensor seen as
// [outer, channels, inner] (per tensor: one channel). Per-channel parameters are device arrays, so a launch never
// needs a host sync to read them. y may be x (in place, as Grid.apply allows): each thread reads its element before
// writing it, so no pointer is declared __restrict__.
//
// Each kernel must give the same bits as its CPU reference in io.jqi.quant (AffineGrid, TfNudgedGrid, LutGrid), so:
// every float operation is an explicit round-to-nearest intrinsic in the reference's order (no FMA contraction, which
// would skip the intermediate rounding Java does; build-ptx.sh also passes -fmad=false, and -ftz=false because Java
// keeps subnormals), division is IEEE (__fdiv_rn, never x * (1/step)), and clamping goes through java_min/java_max,
// because CUDA's fminf/fmaxf drop NaN where Java's Math.min/max propagate it, and Java orders -0.0 below +0.0.

#include <cstddef>

namespace {

// Java's Math.max(float, float): NaN wins, and -0.0 orders below +0.0.
__device__ __forceinline__ float java_max(float a, float b) {
    if (a != a) {
        return a;
    }
    if (a == 0.0f && b == 0.0f && __float_as_uint(a) == 0x80000000u) {
        return b;
    }
    return a >= b ? a : b;
}

// Java's Math.min(float, float): NaN wins, and -0.0 orders below +0.0.
__device__ __forceinline__ float java_min(float a, float b) {
    if (a != a) {
        return a;
    }
    if (a == 0.0f && b == 0.0f && __float_as_uint(b) == 0x80000000u) {
        return b;
    }
    return a <= b ? a : b;
}

// Java's Float.NaN, so that a NaN input gives the reference's exact bits.
__device__ __forceinline__ float java_nan() {
    return __uint_as_float(0x7fc00000u);
}

__device__ __forceinline__ int channel_of(size_t i, int channels, int inner) {
    return static_cast<int>((i / static_cast<size_t>(inner)) % static_cast<size_t>(channels));
}

__device__ __forceinline__ size_t element_count(int outer, int channels, int inner) {
    return static_cast<size_t>(outer) * static_cast<size_t>(channels) * static_cast<size_t>(inner);
}

__device__ __forceinline__ size_t first_index() {
    return static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}

__device__ __forceinline__ size_t grid_stride() {
    return static_cast<size_t>(gridDim.x) * blockDim.x;
}

}  // namespace

// AffineGrid.fakeQuant: q = clamp(rint(x / step) + zp, qmin, qmax) (ties to even); y = (q - zp) * step.
extern "C" __global__ void jqi_fake_quant_affine(const float* x, float* y, const float* steps,
                                                 const float* zero_points, float qmin, float qmax, int outer,
                                                 int channels, int inner) {
    const size_t n = element_count(outer, channels, inner);
    for (size_t i = first_index(); i < n; i += grid_stride()) {
        const int c = channel_of(i, channels, inner);
        const float step = steps[c];
        const float zp = zero_points[c];
        float q = __fadd_rn(rintf(__fdiv_rn(x[i], step)), zp);
        q = java_min(java_max(q, qmin), qmax);
        y[i] = __fmul_rn(__fsub_rn(q, zp), step);
    }
}

// TfNudgedGrid.fakeQuant: c = clamp(x, lo, hi) in the float domain; y = floor((c - lo) / step + 0.5) * step + lo.
extern "C" __global__ void jqi_fake_quant_tf_nudge(const float* x, float* y, const float* nudged_min,
                                                   const float* nudged_max, const float* steps, int outer,
                                                   int channels, int inner) {
    const size_t n = element_count(outer, channels, inner);
    for (size_t i = first_index(); i < n; i += grid_stride()) {
        const int c = channel_of(i, channels, inner);
        const float lo = nudged_min[c];
        const float step = steps[c];
        const float clamped = java_max(java_min(x[i], nudged_max[c]), lo);
        const float f = floorf(__fadd_rn(__fdiv_rn(__fsub_rn(clamped, lo), step), 0.5f));
        y[i] = __fadd_rn(__fmul_rn(f, step), lo);
    }
}

// LutGrid.fakeQuant: v = clamp((x / (T + eps)) * M, lo, hi); the nearest level (ties to the first) scaled back by
// (level / M) * T. NaN stays NaN.
extern "C" __global__ void jqi_fake_quant_lut(const float* x, float* y, const float* levels, int num_levels,
                                              const float* thresholds, float multiplier, float lo, float hi,
                                              float eps, int outer, int channels, int inner) {
    const size_t n = element_count(outer, channels, inner);
    for (size_t i = first_index(); i < n; i += grid_stride()) {
        const float xi = x[i];
        if (xi != xi) {
            y[i] = java_nan();
            continue;
        }
        const float t = thresholds[channel_of(i, channels, inner)];
        float v = __fmul_rn(__fdiv_rn(xi, __fadd_rn(t, eps)), multiplier);
        v = java_min(java_max(v, lo), hi);
        int best = 0;
        float best_distance = fabsf(__fsub_rn(v, levels[0]));
        for (int j = 1; j < num_levels; j++) {
            const float d = fabsf(__fsub_rn(v, levels[j]));
            // Strictly less: an equally near later level never replaces the first, and a NaN distance never wins.
            if (d < best_distance) {
                best = j;
                best_distance = d;
            }
        }
        y[i] = __fmul_rn(__fdiv_rn(levels[best], multiplier), t);
    }
}
