// The backward of affine fake quantization (Backend.fakeQuantAffineBackward): the straight-through gradient of
//   y = s * clamp(rint((x - a) / s), qmin, qmax) + a            (with offsets: the uniform quantizers' surrogate)
//   y = s * clamp(rint(x / s) + 0, qmin, qmax)                  (offsets null: the zero-offset grid)
// per channel c (s = steps[c], a = offsets[c]), per tensor or per channel on any axis. rint passes its gradient
// straight through, and so does the clamp unless `clipped`, which masks dx where the rounded value lies outside
// [qmin, qmax]. What a quantizer does with the step and offset gradients (LSQ's scale, a threshold's levels, the
// range adjustment) is tensor ops on its side: this kernel knows grids, not quantizers.
//
// One launch reads x and dy, writes dx, and, when the parameters train, reduces their gradients per channel:
//   - the grid is channels x blocks_per_channel blocks of BLOCK threads; block b of channel c walks the channel's
//     elements j = b * BLOCK + t, stepping by blocks_per_channel * BLOCK, in storage order of [outer, channels, inner];
//   - each thread sums its own elements in that fixed order, the block reduces its threads in a fixed tree and writes
//     one partial per accumulator to `partials`, then counts itself done on the channel's counter (an integer atomic);
//   - the last block of a channel to finish adds the channel's partials in block order (again a fixed tree) and writes
//     the parameter gradients, then resets the counter to 0 for the next launch.
// So nothing full-size is written besides dx, no host round trip happens, no float atomics are used, and the result
// is the same bits on every run (for a given blocks_per_channel, which the host derives from the shape alone).
//
// dx must be bit for bit what the CPU (io.jqi.tensor.CpuFakeQuant) computes, which is the element-wise chain rule of
// the expression above operation by operation, so each formula below is written with explicit _rn intrinsics in that
// order. Where the zero-offset grid adds its zero point 0 (whose gradient is the affine map 1 * g + 0) the kernel does
// too: it turns -0.0 into +0.0. Note also that an unclipped gradient gives dx = (dy * s) / s, not dy: the rounding of
// two operations can move it by an ulp. The parameter gradients are sums, so they agree with the CPU within the
// rounding of a different summation order.

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

namespace {

// One channel's part of the backward; OFFSET selects the expression (see the top of the file). ACC accumulators: the
// step's terms from the product and from the division, and with an offset the offset's from the sum and the
// difference.
template <bool OFFSET>
__device__ __forceinline__ void affine_backward(const float* x, const float* dy, float* dx, const float* steps,
                                                const float* offsets, float* d_steps, float* d_offsets,
                                                float* partials, unsigned* counters, float qmin, float qmax,
                                                int clipped, Layout layout, int blocks_per_channel) {
    constexpr int ACC = OFFSET ? 4 : 2;
    __shared__ float scratch[BLOCK];
    const int c = static_cast<int>(blockIdx.x) / blocks_per_channel;
    const int b = static_cast<int>(blockIdx.x) - c * blocks_per_channel;
    const unsigned per_channel = static_cast<unsigned>(layout.outer) * static_cast<unsigned>(layout.inner);
    const float step = steps[c];
    const float offset = OFFSET ? offsets[c] : 0.0f;
    const bool wants_parameters = d_steps != nullptr;
    const float step_squared = __fmul_rn(step, step);
    float acc[ACC] = {};
    const unsigned stride = static_cast<unsigned>(blocks_per_channel) * BLOCK;
    for (unsigned j = static_cast<unsigned>(b) * BLOCK + threadIdx.x; j < per_channel; j += stride) {
        const unsigned i = index_in_channel(j, c, layout);
        const float g = dy[i];
        float g_r = __fmul_rn(g, step);
        // An unclipped gradient that trains nothing needs no x at all.
        if (!clipped && !wants_parameters) {
            dx[i] = __fdiv_rn(OFFSET ? g_r : __fadd_rn(__fmul_rn(g_r, 1.0f), 0.0f), step);
            continue;
        }
        const float d = OFFSET ? __fsub_rn(x[i], offset) : x[i];
        const float r = OFFSET ? rintf(__fdiv_rn(d, step)) : __fadd_rn(rintf(__fdiv_rn(d, step)), 0.0f);
        if (clipped) {
            g_r = __fmul_rn(g_r, inside(r, qmin, qmax));
        }
        if constexpr (!OFFSET) {
            g_r = __fadd_rn(__fmul_rn(g_r, 1.0f), 0.0f);
        }
        const float g_d = __fdiv_rn(g_r, step);
        dx[i] = g_d;
        if (wants_parameters) {
            acc[0] = __fadd_rn(acc[0], __fmul_rn(g, java_clamp(r, qmin, qmax)));
            acc[1] = __fadd_rn(acc[1], -__fdiv_rn(__fmul_rn(g_r, d), step_squared));
            if constexpr (OFFSET) {
                acc[ACC - 2] = __fadd_rn(acc[ACC - 2], g);
                acc[ACC - 1] = __fadd_rn(acc[ACC - 1], -g_d);
            }
        }
    }
    if (!wants_parameters) {
        return;
    }
    if (!publish_partials<ACC>(acc, partials, counters, c, b, blocks_per_channel, scratch)) {
        return;
    }
    float sums[ACC];
    for (int s = 0; s < ACC; s++) {
        sums[s] = channel_total<ACC>(partials, c, blocks_per_channel, s, scratch);
    }
    if (threadIdx.x == 0) {
        d_steps[c] = __fadd_rn(sums[0], sums[1]);
        if constexpr (OFFSET) {
            d_offsets[c] = __fadd_rn(sums[ACC - 2], sums[ACC - 1]);
        }
        counters[c] = 0;
    }
}

}  // namespace

// offsets null: the zero-offset grid (d_offsets unused). d_steps null: dx only (nothing trains). partials holds
// channels x blocks_per_channel x (offsets ? 4 : 2) floats and counters one unsigned per channel, all zero before the
// first launch; the kernel leaves the counters at zero.
extern "C" __global__ void __launch_bounds__(BLOCK)
jqi_fake_quant_backward(const float* x, const float* dy, float* dx, const float* steps, const float* offsets,
                        float* d_steps, float* d_offsets, float* partials, unsigned* counters, float qmin,
                        float qmax, int clipped, Layout layout, int blocks_per_channel) {
    if (offsets != nullptr) {
        affine_backward<true>(x, dy, dx, steps, offsets, d_steps, d_offsets, partials, counters, qmin, qmax, clipped,
                              layout, blocks_per_channel);
    } else {
        affine_backward<false>(x, dy, dx, steps, offsets, d_steps, d_offsets, partials, counters, qmin, qmax,
                               clipped, layout, blocks_per_channel);
    }
}
