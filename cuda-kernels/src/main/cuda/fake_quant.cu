// The fake-quant forward kernels (Backend.fakeQuantAffine, fakeQuantLut, uniformGrid), one thread per element with
// grid-stride loops over a row-major tensor seen as [outer, channels, inner] (per tensor: one channel). Per-channel
// parameters are device arrays, so a launch never needs a host sync to read them; the grid kernel at the end derives
// a uniform grid from its ranges on the device. y may be x (in place, as Grid.apply allows): each thread reads its
// element before writing it, so no pointer is declared __restrict__.
//
// Each kernel must give the same bits as its CPU reference in io.jqi.grid (AffineGrid, LutGrid) and
// io.jqi.tensor.CpuFakeQuant, so:
// every float operation is an explicit round-to-nearest intrinsic in the reference's order (no FMA contraction, which
// would skip the intermediate rounding Java does; build-ptx.sh also passes -fmad=false, and -ftz=false because Java
// keeps subnormals), division is IEEE (__fdiv_rn, never x * (1/step)), and clamping goes through java_min/java_max,
// because CUDA's fminf/fmaxf drop NaN where Java's Math.min/max propagate it, and Java orders -0.0 below +0.0.
// Power-of-two and symmetric quantizers are the affine kernel with a zero zero point; uniform ones the affine kernel
// with the zero point of their adjusted range.

#include "jqi_float.cuh"

// The affine grid of element i's channel; zero_points may be null: every zero point is then +0.0 (symmetric and
// power-of-two grids).
struct AffineChannel {
    float step;
    float zp;
};

__device__ inline AffineChannel affine_channel(unsigned i, const float* steps, const float* zero_points,
                                               Layout layout) {
    const int c = channel_of(i, layout);
    return AffineChannel{steps[c], zero_points == nullptr ? 0.0f : zero_points[c]};
}

// AffineGrid.fakeQuant: q = clamp(rint(x / step) + zp, qmin, qmax) (ties to even); y = (q - zp) * step.
extern "C" __global__ void jqi_fake_quant_affine(const float* x, float* y, const float* steps,
                                                 const float* zero_points, float qmin, float qmax, Layout layout) {
    const unsigned n = element_count(layout);
    for (unsigned i = first_index(); i < n; i += grid_stride()) {
        const AffineChannel g = affine_channel(i, steps, zero_points, layout);
        float q = __fadd_rn(rintf(__fdiv_rn(x[i], g.step)), g.zp);
        q = java_min(java_max(q, qmin), qmax);
        y[i] = __fmul_rn(__fsub_rn(q, g.zp), g.step);
    }
}

// AffineGrid in TF_NUDGE_HALF_UP mode: the nudged range lo = (qmin - zp) * step, hi = (qmax - zp) * step; the input
// clamped to it in the float domain; y = floor((c - lo) / step + 0.5) * step + lo.
extern "C" __global__ void jqi_fake_quant_tf_nudge(const float* x, float* y, const float* steps,
                                                   const float* zero_points, float qmin, float qmax, Layout layout) {
    const unsigned n = element_count(layout);
    for (unsigned i = first_index(); i < n; i += grid_stride()) {
        const AffineChannel g = affine_channel(i, steps, zero_points, layout);
        const float lo = __fmul_rn(__fsub_rn(qmin, g.zp), g.step);
        const float hi = __fmul_rn(__fsub_rn(qmax, g.zp), g.step);
        const float clamped = java_max(java_min(x[i], hi), lo);
        const float f = floorf(__fadd_rn(__fdiv_rn(__fsub_rn(clamped, lo), g.step), 0.5f));
        y[i] = __fadd_rn(__fmul_rn(f, g.step), lo);
    }
}

// LutGrid.fakeQuant: v = clamp((x / (T + eps)) * M, lo, hi); the nearest level (ties to the first) scaled back by
// (level / M) * T. NaN stays NaN.
extern "C" __global__ void jqi_fake_quant_lut(const float* x, float* y, const float* levels, int num_levels,
                                              const float* thresholds, float multiplier, float lo, float hi,
                                              float eps, Layout layout) {
    const unsigned n = element_count(layout);
    for (unsigned i = first_index(); i < n; i += grid_stride()) {
        const float xi = x[i];
        if (xi != xi) {
            y[i] = java_nan();
            continue;
        }
        const float t = thresholds[channel_of(i, layout)];
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

namespace {

// One step of UniformRange.step: the reference's range adjustment A(min, max, n) in its float32 order.
__device__ __forceinline__ void uniform_range_step(float& min, float& max, float k) {
    if (min > 0.0f) {
        min = 0.0f;
        return;
    }
    if (max < 0.0f) {
        max = 0.0f;
        return;
    }
    const float width = __fsub_rn(max, min);
    const float scale = __fdiv_rn(width, k);
    float adj_min = __fmul_rn(scale, rintf(__fdiv_rn(min, scale)));
    float adj_max = __fadd_rn(width, adj_min);
    adj_min = java_min(adj_min, 0.0f);
    adj_max = java_max(adj_max, 0.0f);
    min = adj_min == 0.0f ? 0.0f : adj_min;
    max = adj_max;
}

}  // namespace

// The uniform grid of a [min, max] range per channel, on the device: UniformRange.adjust (the adjustment repeated
// until it stops moving, at most 8 times) then AffineGrid.uniformAdjusted: step = (max' - min') / K and
// zp = clamp(rint(-min' / step), 0, K), K = 2^bits - 1. The result feeds jqi_fake_quant_affine with qmin 0, qmax K.
extern "C" __global__ void jqi_uniform_grid(const float* mins, const float* maxs, float* steps, float* zero_points,
                                            int channels, float k) {
    for (unsigned c = first_index(); c < static_cast<unsigned>(channels); c += grid_stride()) {
        float lo = mins[c];
        float hi = maxs[c];
        uniform_range_step(lo, hi, k);
        for (int i = 1; i < 8; i++) {
            float next_lo = lo;
            float next_hi = hi;
            uniform_range_step(next_lo, next_hi, k);
            if (same_float_bits(next_lo, lo) && same_float_bits(next_hi, hi)) {
                break;
            }
            lo = next_lo;
            hi = next_hi;
        }
        const float step = __fdiv_rn(__fsub_rn(hi, lo), k);
        steps[c] = step;
        zero_points[c] = java_min(java_max(rintf(__fdiv_rn(-lo, step)), 0.0f), k);
    }
}
