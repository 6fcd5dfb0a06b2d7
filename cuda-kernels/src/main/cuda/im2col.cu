// im2col: CpuWindows.im2col. Output [channels * kh * kw, batch * oh * ow]; row (c, ki, kj), column (n, oy, ox) holds
// the input cell that tap reads, or 0 in the padding. One thread per output element; a pure copy, bit-identical.

#include "jqi_common.cuh"

extern "C" __global__ void jqi_im2col(const float* __restrict__ x, float* __restrict__ cols, Window2d w) {
    int oh = out_height(w);
    int ow = out_width(w);
    long long plane = static_cast<long long>(oh) * ow;
    long long columns = w.batch * plane;
    long long rows = static_cast<long long>(w.channels) * w.kernel_height * w.kernel_width;
    long long total = rows * columns;
    for (long long i = first_index(); i < total; i += grid_stride()) {
        long long r = i / columns;
        long long col = i % columns;
        int n = static_cast<int>(col / plane);
        int o = static_cast<int>(col % plane);
        int oy = o / ow;
        int ox = o % ow;
        int kj = static_cast<int>(r % w.kernel_width);
        int ki = static_cast<int>((r / w.kernel_width) % w.kernel_height);
        int c = static_cast<int>(r / (static_cast<long long>(w.kernel_width) * w.kernel_height));
        int iy = oy * w.stride_height - w.pad_height + ki * w.dilation_height;
        int ix = ox * w.stride_width - w.pad_width + kj * w.dilation_width;
        float v = 0.0f;
        if (iy >= 0 && iy < w.height && ix >= 0 && ix < w.width) {
            v = x[((static_cast<long long>(n) * w.channels + c) * w.height + iy) * w.width + ix];
        }
        cols[i] = v;
    }
}
