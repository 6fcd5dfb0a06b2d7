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
        float best = __int_as_float(0xff800000);
        int best_at = -1;
        for_each_tap(w, oy, ox, [&](int at) {
            float v = src[at];
            if (best_at < 0 || v > best || (v != v && best == best)) {
                best = v;
                best_at = at;
            }
        });
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
        for_each_window_over(w, oh, ow, iy, ix, [&](int oy, int ox) {
            long long o = plane_out + static_cast<long long>(oy) * ow + ox;
            if (argmax[o] == cell) {
                sum = __fadd_rn(sum, grad_out[o]);
            }
        });
        grad_in[i] = sum;
    }
}
