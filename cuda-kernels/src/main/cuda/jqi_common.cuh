// Helpers shared by the backend kernels (every .cu except fake_quant.cu, which keeps its own copies).
//
// Bit-exactness with the CPU backend (io.jqi.tensor.CpuBackend) rests on three rules followed everywhere:
// every float operation is an explicit round-to-nearest intrinsic in the order Java evaluates it (build-ptx.sh also
// passes -fmad=false, so nothing is contracted into an FMA); min and max follow Java's Math.min/max (NaN wins, -0.0
// orders below +0.0), which CUDA's fminf/fmaxf do not; and sums the CPU accumulates in double are accumulated in
// double here.
#pragma once

#include <cstddef>

// The largest tensor rank whose index arithmetic fits the fixed-size arrays passed by value below.
#define JQI_MAX_RANK 8

// Java's Math.max(float, float): NaN wins, and -0.0 orders below +0.0.
__device__ __forceinline__ float java_max(float a, float b) {
    if (a != a) {
        return a;
    }
    if (b != b) {
        return b;
    }
    if (a == 0.0f && b == 0.0f) {
        return __float_as_uint(a) == 0x80000000u ? b : a;
    }
    return a >= b ? a : b;
}

// Java's Math.min(float, float): NaN wins, and -0.0 orders below +0.0.
__device__ __forceinline__ float java_min(float a, float b) {
    if (a != a) {
        return a;
    }
    if (b != b) {
        return b;
    }
    if (a == 0.0f && b == 0.0f) {
        return __float_as_uint(b) == 0x80000000u ? b : a;
    }
    return a <= b ? a : b;
}

__device__ __forceinline__ long long first_index() {
    return static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
}

__device__ __forceinline__ long long grid_stride() {
    return static_cast<long long>(gridDim.x) * blockDim.x;
}

// The geometry of a sliding 2-D window over an NCHW input, field for field io.jqi.tensor.Window2d; passed by value.
struct Window2d {
    int batch, channels, height, width;
    int kernel_height, kernel_width;
    int stride_height, stride_width;
    int pad_height, pad_width;
    int dilation_height, dilation_width;
    int ceil_mode;  // 0 or 1: Window2d.ceilMode
};

// Window2d.outExtent: floor division, or in ceil mode ceiling division less a last window that would start beyond
// the input and its leading padding (span may be negative only for windows Window2d rejects).
__device__ __forceinline__ int out_extent(int size, int kernel, int stride, int pad, int dilation, int ceil_mode) {
    int span = size + 2 * pad - dilation * (kernel - 1) - 1;
    if (!ceil_mode) {
        return (span >= 0 ? span / stride : -((-span + stride - 1) / stride)) + 1;
    }
    int out = (span >= 0 ? (span + stride - 1) / stride : -(-span / stride)) + 1;
    return out > 1 && (out - 1) * stride >= size + pad ? out - 1 : out;
}

__device__ __forceinline__ int out_height(const Window2d& w) {
    return out_extent(w.height, w.kernel_height, w.stride_height, w.pad_height, w.dilation_height, w.ceil_mode);
}

__device__ __forceinline__ int out_width(const Window2d& w) {
    return out_extent(w.width, w.kernel_width, w.stride_width, w.pad_width, w.dilation_width, w.ceil_mode);
}

// The first window position along one axis whose window can reach input coordinate i (windows start at
// o * stride - pad and span (kernel - 1) * dilation + 1 cells).
__device__ __forceinline__ int first_window(int i, int kernel, int stride, int pad, int dilation) {
    int reach = i + pad - (kernel - 1) * dilation;
    return reach <= 0 ? 0 : (reach + stride - 1) / stride;
}

__device__ __forceinline__ int last_window(int i, int stride, int pad, int out) {
    return min((i + pad) / stride, out - 1);
}

// Calls visit(at) for each tap of output cell (oy, ox)'s window that lies inside the plane, in the CPU's order (ki,
// then kj), with at = iy * width + ix; padding taps are skipped. The pooling forwards share this scan.
template <typename Visit>
__device__ __forceinline__ void for_each_tap(const Window2d& w, int oy, int ox, Visit visit) {
    int y0 = oy * w.stride_height - w.pad_height;
    int x0 = ox * w.stride_width - w.pad_width;
    for (int ki = 0; ki < w.kernel_height; ki++) {
        int iy = y0 + ki * w.dilation_height;
        if (iy < 0 || iy >= w.height) {
            continue;
        }
        for (int kj = 0; kj < w.kernel_width; kj++) {
            int ix = x0 + kj * w.dilation_width;
            if (ix >= 0 && ix < w.width) {
                visit(iy * w.width + ix);
            }
        }
    }
}

// Calls visit(oy, ox) for every output position whose window can reach input cell (iy, ix), in output order (oy,
// then ox), the order in which the CPU's backward scatters; the pooling backwards gather with it, and each checks
// whether its window really uses the cell.
template <typename Visit>
__device__ __forceinline__ void for_each_window_over(const Window2d& w, int oh, int ow, int iy, int ix, Visit visit) {
    int oy_last = last_window(iy, w.stride_height, w.pad_height, oh);
    int ox_first = first_window(ix, w.kernel_width, w.stride_width, w.pad_width, w.dilation_width);
    int ox_last = last_window(ix, w.stride_width, w.pad_width, ow);
    for (int oy = first_window(iy, w.kernel_height, w.stride_height, w.pad_height, w.dilation_height); oy <= oy_last;
            oy++) {
        for (int ox = ox_first; ox <= ox_last; ox++) {
            visit(oy, ox);
        }
    }
}
