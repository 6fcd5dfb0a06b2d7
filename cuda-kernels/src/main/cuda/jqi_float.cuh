// Float helpers shared by jqi's quantizer kernels: Java's float semantics where CUDA's differ, and the
// [outer, channels, inner] indexing of a row-major tensor around its channel axis.
//
// Element counts are unsigned 32-bit: the Java side rejects tensors of 2^31 elements or more (a ChannelLayout's
// extents are ints and Java arrays end there), and 32-bit division is several times cheaper than 64-bit
// division on the GPU, which matters in kernels that are otherwise pure memory traffic.
#pragma once

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

// Java's Math.min(Math.max(x, lo), hi): the clamp of CpuBackend's CLAMP and of AffineGrid.
__device__ __forceinline__ float java_clamp(float x, float lo, float hi) {
    return java_min(java_max(x, lo), hi);
}

// CpuBackend's INSIDE: 1 where lo <= x <= hi, else 0 (NaN is outside). The clamp's gradient mask.
__device__ __forceinline__ float inside(float x, float lo, float hi) {
    return x >= lo && x <= hi ? 1.0f : 0.0f;
}

// Java's Float.floatToIntBits equality: bit equality, with every NaN equal to every NaN.
__device__ __forceinline__ bool same_float_bits(float a, float b) {
    return (a != a && b != b) || __float_as_uint(a) == __float_as_uint(b);
}

// A row-major tensor as [outer, channels, inner], passed to every kernel by value. The host (KernelLayout.java)
// adds multiply-shift dividers for inner and channels: a 32-bit integer division costs about 17 instructions on
// the GPU, which is a good part of an element's budget in a kernel meant to run at copy speed; the divider costs 3.
// Field order and types are the Java side's int[7]; do not reorder.
struct Layout {
    int outer;
    int channels;
    int inner;
    unsigned inner_magic;
    unsigned inner_shift;
    unsigned channels_magic;
    unsigned channels_shift;
};

// n / d for the divisor whose (magic, shift) the host computed: shift = ceil(log2 d),
// magic = floor(2^32 * (2^shift - d) / d) + 1. Exact for every n < 2^31 (then the sum cannot overflow).
__device__ __forceinline__ unsigned fast_div(unsigned n, unsigned magic, unsigned shift) {
    return (__umulhi(n, magic) + n) >> shift;
}

__device__ __forceinline__ unsigned element_count(const Layout& l) {
    return static_cast<unsigned>(l.outer) * static_cast<unsigned>(l.channels) * static_cast<unsigned>(l.inner);
}

// The channel of flat index i. Per tensor (one channel) needs no division at all.
__device__ __forceinline__ int channel_of(unsigned i, const Layout& l) {
    if (l.channels == 1) {
        return 0;
    }
    const unsigned row = fast_div(i, l.inner_magic, l.inner_shift);
    const unsigned outer_row = fast_div(row, l.channels_magic, l.channels_shift);
    return static_cast<int>(row - outer_row * static_cast<unsigned>(l.channels));
}

// The flat index of the j-th element of channel c, counting the channel's elements in storage order
// (j in [0, outer * inner)). With one outer row (weights on axis 0, or per tensor) it is a plain offset.
__device__ __forceinline__ unsigned index_in_channel(unsigned j, int c, const Layout& l) {
    const unsigned in = static_cast<unsigned>(l.inner);
    const unsigned channel_start = static_cast<unsigned>(c) * in;
    if (l.outer == 1) {
        return channel_start + j;
    }
    const unsigned row = fast_div(j, l.inner_magic, l.inner_shift);
    return row * static_cast<unsigned>(l.channels) * in + channel_start + (j - row * in);
}

__device__ __forceinline__ unsigned first_index() {
    return blockIdx.x * blockDim.x + threadIdx.x;
}

__device__ __forceinline__ unsigned grid_stride() {
    return gridDim.x * blockDim.x;
}

}  // namespace
