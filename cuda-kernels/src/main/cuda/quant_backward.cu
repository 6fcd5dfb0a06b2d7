// Backward kernels of the trainable quantizers (io.jqi.quant.trainable): STE (IDENTITY and CLIPPED) and LSQ, for
// symmetric/power-of-two thresholds and uniform ranges, per tensor or per channel on any axis.
//
// One fused kernel per grid kind reads x and dy, writes dx, and, when the quantizer trains its parameters, reduces
// their gradients per channel inside the same launch:
//   - the grid is channels x blocks_per_channel blocks of BLOCK threads; block b of channel c walks the channel's
//     elements j = b * BLOCK + t, stepping by blocks_per_channel * BLOCK, in storage order of [outer, channels, inner];
//   - each thread sums its own elements in that fixed order, the block reduces its threads in a fixed tree and writes
//     one partial per accumulator to `partials`, then counts itself done on the channel's counter (an integer atomic);
//   - the last block of a channel to finish adds the channel's partials in block order (again a fixed tree) and writes
//     the parameter gradient, then resets the counter to 0 for the next launch.
// So nothing full-size is written besides dx, no host round trip happens, no float atomics are used, and the result
// is the same bits on every run (for a given blocks_per_channel, which the host derives from the shape alone).
//
// dx must be bit for bit what the CPU autograd computes through the trainable quantizer's graph, so each formula
// below replays the backward of that graph operation by operation (Elementwise.zip/map gradients, StraightThrough),
// with explicit _rn intrinsics. Where the graph multiplies by 1 and adds 0 (the gradient of `add(0f)`, an AFFINE
// map 1 * g + 0) the kernel does too: it turns -0.0 into +0.0. Note also that an IDENTITY STE does not give dx = dy
// exactly but (dy * step) / step, which the CPU graph computes and the rounding of two operations can move by an ulp.
// The parameter gradients are sums, so they agree with the CPU within the rounding of a different summation order.

#include "jqi_float.cuh"

namespace {

constexpr int BLOCK = 256;

// A fixed-order tree reduction of one value per thread of the block; thread 0 gets the sum. `scratch` holds BLOCK
// floats. Every thread must call it (it synchronizes).
__device__ __forceinline__ float block_sum(float value, float* scratch) {
    scratch[threadIdx.x] = value;
    __syncthreads();
    for (int half = BLOCK / 2; half > 0; half >>= 1) {
        if (threadIdx.x < half) {
            scratch[threadIdx.x] = __fadd_rn(scratch[threadIdx.x], scratch[threadIdx.x + half]);
        }
        __syncthreads();
    }
    const float sum = scratch[0];
    __syncthreads();
    return sum;
}

// Writes this block's partial sums of its channel and reports whether it was the channel's last block to finish.
// partials is laid out [channels][blocks_per_channel][ACC]. Every thread must call it.
template <int ACC>
__device__ __forceinline__ bool publish_partials(const float (&acc)[ACC], float* partials, unsigned* counters,
                                                 int c, int b, int blocks_per_channel, float* scratch) {
    __shared__ bool last;
    float sums[ACC];
    for (int a = 0; a < ACC; a++) {
        sums[a] = block_sum(acc[a], scratch);
    }
    if (threadIdx.x == 0) {
        float* mine = partials + (static_cast<size_t>(c) * blocks_per_channel + b) * ACC;
        for (int a = 0; a < ACC; a++) {
            mine[a] = sums[a];
        }
        // Make the partials visible device-wide before the count says they are there (CUDA Programming Guide,
        // memory fence functions: the same pattern as its sum-of-blocks example).
        __threadfence();
        const unsigned done = atomicAdd(counters + c, 1u);
        last = done == static_cast<unsigned>(blocks_per_channel) - 1;
        // The reading side of the same handshake: the last block orders its reads of the other blocks' partials
        // after the count that told it they are complete.
        __threadfence();
    }
    __syncthreads();
    return last;
}

// In the channel's last block: the channel's partials of accumulator a, added in block order. Every thread of the
// block must call it. __ldcg reads through L2, where the other blocks' fenced writes are.
template <int ACC>
__device__ __forceinline__ float channel_total(const float* partials, int c, int blocks_per_channel, int a,
                                               float* scratch) {
    const float* channel = partials + static_cast<size_t>(c) * blocks_per_channel * ACC;
    float sum = 0.0f;
    for (int b = threadIdx.x; b < blocks_per_channel; b += BLOCK) {
        sum = __fadd_rn(sum, __ldcg(channel + static_cast<size_t>(b) * ACC + a));
    }
    return block_sum(sum, scratch);
}

}  // namespace

// Symmetric and power-of-two trainable quantizers: STEWeightQATQuantizer, STESymmetricActivationTrainableQuantizer,
// LSQWeightQATQuantizer, LSQSymmetricActivationTrainableQuantizer. Their CPU forward graph is
//   step = effectiveThreshold(T) / levels      [.gradScale(g) for LSQ]
//   r    = rint(x / step) + 0                  (steRound, then add(0f))
//   q    = clamp(r, qmin, qmax)                (steClip for an IDENTITY STE: same value, gradient passed unchanged)
//   out  = q * step
// and its backward, replayed here per element:
//   g_r = dy * step, masked by INSIDE(r) when clipped (CLIPPED STE, LSQ), then * 1 + 0 (add's AFFINE gradient);
//   dx  = g_r / step;
//   the step collects dy * q (from the product) and -((g_r * x) / (step * step)) (from the division), summed per
//   channel; for LSQ the sum is then * g + 0 (gradScale's AFFINE); dT = that / levels (the division by levels), the
//   power-of-two rounding passing it straight through to T.
// steps holds the forward's steps (jqi_symmetric_steps). d_thresholds null: dx only (STE weights, frozen activations).
extern "C" __global__ void __launch_bounds__(BLOCK)
jqi_symmetric_backward(const float* x, const float* dy, float* dx, const float* steps, float* d_thresholds,
                       float* partials, unsigned* counters, float levels, float qmin, float qmax, int clipped,
                       int grad_scaled, float grad_scale, Layout layout, int blocks_per_channel) {
    __shared__ float scratch[BLOCK];
    const int c = static_cast<int>(blockIdx.x) / blocks_per_channel;
    const int b = static_cast<int>(blockIdx.x) - c * blocks_per_channel;
    const unsigned per_channel = static_cast<unsigned>(layout.outer) * static_cast<unsigned>(layout.inner);
    const float step = steps[c];
    const bool wants_threshold = d_thresholds != nullptr;
    const float step_squared = __fmul_rn(step, step);
    float acc[2] = {0.0f, 0.0f};
    const unsigned stride = static_cast<unsigned>(blocks_per_channel) * BLOCK;
    for (unsigned j = static_cast<unsigned>(b) * BLOCK + threadIdx.x; j < per_channel; j += stride) {
        const unsigned i = index_in_channel(j, c, layout);
        const float g = dy[i];
        float g_r = __fmul_rn(g, step);
        // An IDENTITY STE that trains nothing needs no x at all: its dx is (dy * step * 1 + 0) / step.
        if (clipped || wants_threshold) {
            const float xi = x[i];
            const float r = __fadd_rn(rintf(__fdiv_rn(xi, step)), 0.0f);
            if (clipped) {
                g_r = __fmul_rn(g_r, inside(r, qmin, qmax));
            }
            g_r = __fadd_rn(__fmul_rn(g_r, 1.0f), 0.0f);
            if (wants_threshold) {
                acc[0] = __fadd_rn(acc[0], __fmul_rn(g, java_clamp(r, qmin, qmax)));
                acc[1] = __fadd_rn(acc[1], -__fdiv_rn(__fmul_rn(g_r, xi), step_squared));
            }
        } else {
            g_r = __fadd_rn(__fmul_rn(g_r, 1.0f), 0.0f);
        }
        dx[i] = __fdiv_rn(g_r, step);
    }
    if (!wants_threshold) {
        return;
    }
    if (!publish_partials<2>(acc, partials, counters, c, b, blocks_per_channel, scratch)) {
        return;
    }
    const float from_product = channel_total<2>(partials, c, blocks_per_channel, 0, scratch);
    const float from_division = channel_total<2>(partials, c, blocks_per_channel, 1, scratch);
    if (threadIdx.x == 0) {
        float d_step = __fadd_rn(from_product, from_division);
        if (grad_scaled) {
            d_step = __fadd_rn(__fmul_rn(d_step, grad_scale), 0.0f);
        }
        d_thresholds[c] = __fdiv_rn(d_step, levels);
        counters[c] = 0;
    }
}

// Uniform trainable quantizers: STEUniformWeightQATQuantizer, STEUniformActivationTrainableQuantizer,
// LSQUniformWeightQATQuantizer, LSQUniformActivationTrainableQuantizer. Their gradient comes from the surrogate of
// UniformGrids.surrogate (the forward value is jqi_fake_quant_affine on jqi_uniform_grid's grid):
//   above = min > 0, below = !above && max < 0, mid = 1 - above - below      (constants of the graph)
//   width = max - min, scale = width / K, a_mid = scale * rint(min / scale), b_mid = width + a_mid
//   a = a_mid * mid + min * below, b = b_mid * mid + max * above, step = (b - a) / K  [.gradScale(g)]
//   r = rint((x - a) / step), c = clamp(r, 0, K) (steClip for an IDENTITY STE), s = c * step + a
// Backward per element: g_r = dy * step, masked by INSIDE(r) when clipped; dx = g_r / step. Per channel it sums
// dy * c and -((g_r * (x - a)) / (step * step)) for the step, dy and -(g_r / step) for a; the last block of the
// channel then runs the range adjustment's backward (see finish_uniform) into d_min and d_max. d_min null: dx only.
namespace {

__device__ __forceinline__ void finish_uniform(float k, float above, float below, float mid, float rounded,
                                               const float (&sums)[4], int grad_scaled, float grad_scale,
                                               float* d_min, float* d_max, int c) {
    // step = (b - a) / K after gradScale (AFFINE g * x + 0): the step's gradient reaches b - a divided by K.
    float d_step = __fadd_rn(sums[0], sums[1]);
    if (grad_scaled) {
        d_step = __fadd_rn(__fmul_rn(d_step, grad_scale), 0.0f);
    }
    const float d_width_ab = __fdiv_rn(d_step, k);
    const float d_a = __fadd_rn(__fadd_rn(sums[2], sums[3]), -d_width_ab);
    const float d_b = d_width_ab;
    // a = a_mid * mid + min * below, b = b_mid * mid + max * above.
    float d_a_mid = __fmul_rn(d_a, mid);
    float g_min = __fmul_rn(d_a, below);
    const float d_b_mid = __fmul_rn(d_b, mid);
    float g_max = __fmul_rn(d_b, above);
    // b_mid = width + a_mid; a_mid = scale * rint(min / scale) (the rounding has no gradient); scale = width / K.
    d_a_mid = __fadd_rn(d_a_mid, d_b_mid);
    const float d_scale = __fmul_rn(d_a_mid, rounded);
    const float d_width = __fadd_rn(d_b_mid, __fdiv_rn(d_scale, k));
    // width = max - min.
    g_max = __fadd_rn(g_max, d_width);
    g_min = __fadd_rn(g_min, -d_width);
    d_min[c] = g_min;
    d_max[c] = g_max;
}

}  // namespace

extern "C" __global__ void __launch_bounds__(BLOCK)
jqi_uniform_backward(const float* x, const float* dy, float* dx, const float* mins, const float* maxs, float* d_min,
                     float* d_max, float* partials, unsigned* counters, float k, int clipped, int grad_scaled,
                     float grad_scale, Layout layout, int blocks_per_channel) {
    __shared__ float scratch[BLOCK];
    const int c = static_cast<int>(blockIdx.x) / blocks_per_channel;
    const int b = static_cast<int>(blockIdx.x) - c * blocks_per_channel;
    const unsigned per_channel = static_cast<unsigned>(layout.outer) * static_cast<unsigned>(layout.inner);
    // The surrogate's range, in UniformGrids.adjust's order of Tensor operations.
    const float lo = mins[c];
    const float hi = maxs[c];
    const float above = lo > 0.0f ? 1.0f : 0.0f;
    const float below = lo <= 0.0f && hi < 0.0f ? 1.0f : 0.0f;
    const float mid = __fsub_rn(__fsub_rn(1.0f, above), below);
    const float width = __fsub_rn(hi, lo);
    const float scale = __fdiv_rn(width, k);
    const float rounded = rintf(__fdiv_rn(lo, scale));
    const float a_mid = __fmul_rn(scale, rounded);
    const float b_mid = __fadd_rn(width, a_mid);
    const float a = __fadd_rn(__fmul_rn(a_mid, mid), __fmul_rn(lo, below));
    const float b_end = __fadd_rn(__fmul_rn(b_mid, mid), __fmul_rn(hi, above));
    const float step = __fdiv_rn(__fsub_rn(b_end, a), k);
    const float step_squared = __fmul_rn(step, step);
    const bool wants_range = d_min != nullptr;
    float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    const unsigned stride = static_cast<unsigned>(blocks_per_channel) * BLOCK;
    for (unsigned j = static_cast<unsigned>(b) * BLOCK + threadIdx.x; j < per_channel; j += stride) {
        const unsigned i = index_in_channel(j, c, layout);
        const float g = dy[i];
        float g_r = __fmul_rn(g, step);
        if (clipped || wants_range) {
            const float d = __fsub_rn(x[i], a);
            const float r = rintf(__fdiv_rn(d, step));
            if (clipped) {
                g_r = __fmul_rn(g_r, inside(r, 0.0f, k));
            }
            const float g_d = __fdiv_rn(g_r, step);
            dx[i] = g_d;
            if (wants_range) {
                acc[0] = __fadd_rn(acc[0], __fmul_rn(g, java_clamp(r, 0.0f, k)));
                acc[1] = __fadd_rn(acc[1], -__fdiv_rn(__fmul_rn(g_r, d), step_squared));
                acc[2] = __fadd_rn(acc[2], g);
                acc[3] = __fadd_rn(acc[3], -g_d);
            }
        } else {
            dx[i] = __fdiv_rn(g_r, step);
        }
    }
    if (!wants_range) {
        return;
    }
    if (!publish_partials<4>(acc, partials, counters, c, b, blocks_per_channel, scratch)) {
        return;
    }
    float sums[4];
    for (int s = 0; s < 4; s++) {
        sums[s] = channel_total<4>(partials, c, blocks_per_channel, s, scratch);
    }
    if (threadIdx.x == 0) {
        finish_uniform(k, above, below, mid, rounded, sums, grad_scaled, grad_scale, d_min, d_max, c);
        counters[c] = 0;
    }
}
