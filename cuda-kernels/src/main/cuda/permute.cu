// Axis permutation into a new row-major tensor: CpuBackend.permute. One thread per output element reads the input
// element its index names; a pure copy, so bit-identical.

#include "jqi_common.cuh"

// out_dims: the permuted extents; source_strides: the input stride of each output axis (computed on the host).
struct PermutePlan {
    int rank;
    int out_dims[JQI_MAX_RANK];
    int source_strides[JQI_MAX_RANK];
};

extern "C" __global__ void jqi_permute(const float* __restrict__ x, float* __restrict__ out, long long n,
        PermutePlan plan) {
    for (long long i = first_index(); i < n; i += grid_stride()) {
        long long rest = i;
        long long src = 0;
        for (int d = plan.rank - 1; d >= 0; d--) {
            src += (rest % plan.out_dims[d]) * plan.source_strides[d];
            rest /= plan.out_dims[d];
        }
        out[i] = x[src];
    }
}
