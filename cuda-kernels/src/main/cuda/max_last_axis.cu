// Row maxima of a [rows, cols] view and their first index: CpuBackend.maxLastAxis. One thread scans one row in the
// CPU's order with the CPU's rule (strictly greater keeps the first maximum; a NaN wins and sticks), so values and
// indexes are bit-identical. The rows of a training step (softmax over classes) are short, so a thread per row
// suffices.

#include "jqi_common.cuh"

// argmax may be null when the caller does not want indexes.
extern "C" __global__ void jqi_max_last_axis(const float* __restrict__ x, float* __restrict__ out,
        int* __restrict__ argmax, int rows, int cols) {
    for (long long r = first_index(); r < rows; r += grid_stride()) {
        const float* row = x + r * cols;
        int best = 0;
        for (int c = 1; c < cols; c++) {
            float v = row[c];
            float b = row[best];
            if (v > b || (v != v && b == b)) {
                best = c;
            }
        }
        out[r] = row[best];
        if (argmax != nullptr) {
            argmax[r] = best;
        }
    }
}
