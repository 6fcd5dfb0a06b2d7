// A strided block copy: rows of `row` floats from src (row pitch src_pitch, starting at src_offset) to dst (pitch
// dst_pitch, starting at dst_offset). CpuBackend.concat copies each part this way into its columns of the output, and
// CpuBackend.narrow copies a slice out; both are System.arraycopy loops on the CPU, so bit-identical.

#include "jqi_common.cuh"

extern "C" __global__ void jqi_copy_rows(const float* __restrict__ src, float* __restrict__ dst, int rows, int row,
        long long src_pitch, long long src_offset, long long dst_pitch, long long dst_offset) {
    long long n = static_cast<long long>(rows) * row;
    for (long long i = first_index(); i < n; i += grid_stride()) {
        long long r = i / row;
        long long j = i % row;
        dst[dst_offset + r * dst_pitch + j] = src[src_offset + r * src_pitch + j];
    }
}
