// Max pooling and its gradient: CpuWindows.maxPool / maxPoolBackward.
//
// Forward: one thread per output element scans its window in the CPU's order (ki, then kj) with the CPU's rule
// (padding skipped; strictly greater keeps the first maximum; a NaN wins and sticks), so values and argmax indexes
// (iy * width + ix within the plane, -1 for an all-padding window) are bit-identical.
//
// Backward: the CPU adds each output gradient onto its argmax cell in output order. Here one thread per input cell
// gathers, in that same output order (oy, then ox), the gradients of the windows whose argmax is this cell: same
// operands, same order, so bit-identical and deterministic, with no atomics.

#include "jqi_common.cuh"

extern "C" __global__ void jqi_max_pool(const float* __restrict__ x, float* __restrict__ out,
        int* __restrict__ argmax, Window2d w) {
    int oh = out_height(w);
    int ow = out_width(w);
    long long total = static_cast<long long>(w.batch) * w.channels * oh * ow;
    for (long long i = first_index(); i < total; i += grid_stride()) {
        int ox = static_cast<int>(i % ow);
        int oy = static_cast<int>((i / ow) % oh);
        long long p = i / (static_cast<long long>(ow) * oh);
        const float* src = x + p * w.height * w.width;
        int y0 = oy * w.stride_height - w.pad_height;
        int x0 = ox * w.stride_width - w.pad_width;
        float best = __int_as_float(0xff800000);
        int best_at = -1;
        for (int ki = 0; ki < w.kernel_height; ki++) {
            int iy = y0 + ki * w.dilation_height;
            if (iy < 0 || iy >= w.height) {
                continue;
            }
            for (int kj = 0; kj < w.kernel_width; kj++) {
                int ix = x0 + kj * w.dilation_width;
                if (ix < 0 || ix >= w.width) {
                    continue;
                }
                int at = iy * w.width + ix;
                float v = src[at];
                if (best_at < 0 || v > best || (v != v && best == best)) {
                    best = v;
                    best_at = at;
                }
            }
        }
        out[i] = best;
        argmax[i] = best_at;
    }
}

extern "C" __global__ void jqi_max_pool_backward(const float* __restrict__ grad_out, const int* __restrict__ argmax,
        float* __restrict__ grad_in, Window2d w) {
    int oh = out_height(w);
    int ow = out_width(w);
    long long total = static_cast<long long>(w.batch) * w.channels * w.height * w.width;
    for (long long i = first_index(); i < total; i += grid_stride()) {
        int ix = static_cast<int>(i % w.width);
        int iy = static_cast<int>((i / w.width) % w.height);
        long long p = i / (static_cast<long long>(w.width) * w.height);
        int cell = iy * w.width + ix;
        long long plane_out = p * oh * ow;
        float sum = 0.0f;
        int oy_last = last_window(iy, w.stride_height, w.pad_height, oh);
        int ox_first = first_window(ix, w.kernel_width, w.stride_width, w.pad_width, w.dilation_width);
        int ox_last = last_window(ix, w.stride_width, w.pad_width, ow);
        for (int oy = first_window(iy, w.kernel_height, w.stride_height, w.pad_height, w.dilation_height);
                oy <= oy_last; oy++) {
            for (int ox = ox_first; ox <= ox_last; ox++) {
                long long o = plane_out + static_cast<long long>(oy) * ow + ox;
                if (argmax[o] == cell) {
                    sum = __fadd_rn(sum, grad_out[o]);
                }
            }
        }
        grad_in[i] = sum;
    }
}
