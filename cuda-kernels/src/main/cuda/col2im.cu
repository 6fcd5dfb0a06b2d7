// col2im, the adjoint of im2col: CpuWindows.col2im. The CPU scatters every column entry onto its input cell; here it
// is a gather, so there are no atomics: one thread per input cell visits the taps (ki, kj) that can read it in the
// CPU's order (ki, then kj; each tap reads a cell from at most one window position) and sums them from 0f. Same
// operands, same order, so bit-identical, and run-to-run deterministic.

#include "jqi_common.cuh"

// The window position o along one axis whose tap t reads input coordinate i, or -1 if none does.
__device__ __forceinline__ int window_reading(int i, int t, int stride, int pad, int dilation, int out) {
    int shifted = i + pad - t * dilation;
    if (shifted < 0 || shifted % stride != 0) {
        return -1;
    }
    int o = shifted / stride;
    return o < out ? o : -1;
}

extern "C" __global__ void jqi_col2im(const float* __restrict__ cols, float* __restrict__ x, Window2d w) {
    int oh = out_height(w);
    int ow = out_width(w);
    long long plane = static_cast<long long>(oh) * ow;
    long long columns = w.batch * plane;
    long long total = static_cast<long long>(w.batch) * w.channels * w.height * w.width;
    for (long long i = first_index(); i < total; i += grid_stride()) {
        int ix = static_cast<int>(i % w.width);
        int iy = static_cast<int>((i / w.width) % w.height);
        long long p = i / (static_cast<long long>(w.width) * w.height);
        int c = static_cast<int>(p % w.channels);
        int n = static_cast<int>(p / w.channels);
        float sum = 0.0f;
        for (int ki = 0; ki < w.kernel_height; ki++) {
            int oy = window_reading(iy, ki, w.stride_height, w.pad_height, w.dilation_height, oh);
            if (oy < 0) {
                continue;
            }
            for (int kj = 0; kj < w.kernel_width; kj++) {
                int ox = window_reading(ix, kj, w.stride_width, w.pad_width, w.dilation_width, ow);
                if (ox < 0) {
                    continue;
                }
                long long row = (static_cast<long long>(c) * w.kernel_height + ki) * w.kernel_width + kj;
                sum = __fadd_rn(sum, cols[row * columns + n * plane + static_cast<long long>(oy) * ow + ox]);
            }
        }
        x[i] = sum;
    }
}
