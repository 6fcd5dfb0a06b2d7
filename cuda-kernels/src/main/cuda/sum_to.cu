// Sums over broadcast axes: CpuBackend.sumTo. The CPU adds every input element in row-major order into a double
// accumulator per output element. Here each output element is one block: its threads take the reduced elements in a
// fixed strided order, each accumulating a double, and a fixed shared-memory tree combines the partial sums. There
// are no atomics, and the block size is fixed, so the result is the same on every run (deterministic). It is not
// always the CPU's bits: the double sums are associated differently before the final rounding to float, which
// changes the float result only when the double sums differ across a float rounding boundary (docs/cuda.md states the
// tolerance).

#include "jqi_common.cuh"

// Host-computed index plan: the kept axes (output order) and the reduced axes, each with its input strides.
struct SumPlan {
    int kept_rank;
    int kept_dims[JQI_MAX_RANK];
    int kept_strides[JQI_MAX_RANK];
    int reduced_rank;
    int reduced_dims[JQI_MAX_RANK];
    int reduced_strides[JQI_MAX_RANK];
};

#define JQI_SUM_THREADS 256

// One block per output element; blockDim.x must be JQI_SUM_THREADS.
extern "C" __global__ void jqi_sum_to(const float* __restrict__ x, float* __restrict__ out, long long reduced_count,
        SumPlan plan) {
    __shared__ double partial[JQI_SUM_THREADS];
    long long rest = blockIdx.x;
    long long base = 0;
    for (int d = plan.kept_rank - 1; d >= 0; d--) {
        base += (rest % plan.kept_dims[d]) * plan.kept_strides[d];
        rest /= plan.kept_dims[d];
    }
    double sum = 0.0;
    for (long long r = threadIdx.x; r < reduced_count; r += JQI_SUM_THREADS) {
        long long rr = r;
        long long offset = 0;
        for (int d = plan.reduced_rank - 1; d >= 0; d--) {
            offset += (rr % plan.reduced_dims[d]) * plan.reduced_strides[d];
            rr /= plan.reduced_dims[d];
        }
        sum = __dadd_rn(sum, static_cast<double>(x[base + offset]));
    }
    partial[threadIdx.x] = sum;
    __syncthreads();
    for (int half = JQI_SUM_THREADS / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) {
            partial[threadIdx.x] = __dadd_rn(partial[threadIdx.x], partial[threadIdx.x + half]);
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        out[blockIdx.x] = __double2float_rn(partial[0]);
    }
}
