// Average pooling and its gradient: CpuWindows.avgPool / avgPoolBackward; padding counts in neither sum nor count.
//
// Forward: the CPU sums a window in double in (ki, kj) order and divides in double; so does this, so bit-identical
// (a global pool over a whole plane is one thread's loop, which is fine for the small planes a CNN ends with).
//
// Backward: the CPU adds share = g / count (float) onto each cell of each window, in output order. Here one thread
// per input cell gathers the shares of the windows that contain it in the same order (oy, then ox), from 0f: same
// operands, same order, bit-identical, deterministic.

#include "jqi_common.cuh"

// How many taps start + t * dilation, 0 <= t < kernel, land in [0, size): CpuWindows.inside.
__device__ __forceinline__ int inside(int start, int kernel, int dilation, int size) {
    int count = 0;
    for (int t = 0; t < kernel; t++) {
        int i = start + t * dilation;
        if (i >= 0 && i < size) {
            count++;
        }
    }
    return count;
}

extern "C" __global__ void jqi_avg_pool(const float* __restrict__ x, float* __restrict__ out, Window2d w) {
    int oh = out_height(w);
    int ow = out_width(w);
    long long total = static_cast<long long>(w.batch) * w.channels * oh * ow;
    for (long long i = first_index(); i < total; i += grid_stride()) {
        int ox = static_cast<int>(i % ow);
        int oy = static_cast<int>((i / ow) % oh);
        long long p = i / (static_cast<long long>(ow) * oh);
        const float* src = x + p * w.height * w.width;
        double sum = 0.0;
        int count = 0;
        for_each_tap(w, oy, ox, [&](int at) {
            sum = __dadd_rn(sum, static_cast<double>(src[at]));
            count++;
        });
        out[i] = count == 0 ? 0.0f : __double2float_rn(__ddiv_rn(sum, static_cast<double>(count)));
    }
}

// Tap index t with start + t * dilation == i, or -1 when no tap of the window starting at `start` lands on i.
__device__ __forceinline__ int tap_at(int i, int start, int kernel, int dilation) {
    int d = i - start;
    if (d < 0 || d % dilation != 0 || d / dilation >= kernel) {
        return -1;
    }
    return d / dilation;
}

extern "C" __global__ void jqi_avg_pool_backward(const float* __restrict__ grad_out, float* __restrict__ grad_in,
        Window2d w) {
    int oh = out_height(w);
    int ow = out_width(w);
    long long total = static_cast<long long>(w.batch) * w.channels * w.height * w.width;
    for (long long i = first_index(); i < total; i += grid_stride()) {
        int ix = static_cast<int>(i % w.width);
        int iy = static_cast<int>((i / w.width) % w.height);
        long long p = i / (static_cast<long long>(w.width) * w.height);
        long long plane_out = p * oh * ow;
        float sum = 0.0f;
        for_each_window_over(w, oh, ow, iy, ix, [&](int oy, int ox) {
            int y0 = oy * w.stride_height - w.pad_height;
            int x0 = ox * w.stride_width - w.pad_width;
            if (tap_at(iy, y0, w.kernel_height, w.dilation_height) < 0
                    || tap_at(ix, x0, w.kernel_width, w.dilation_width) < 0) {
                return;
            }
            int count = inside(y0, w.kernel_height, w.dilation_height, w.height)
                    * inside(x0, w.kernel_width, w.dilation_width, w.width);
            float share = __fdiv_rn(grad_out[plane_out + static_cast<long long>(oy) * ow + ox],
                    static_cast<float>(count));
            sum = __fadd_rn(sum, share);
        });
        grad_in[i] = sum;
    }
}
