// Binary element-wise ops with NumPy broadcasting: CpuBackend.zip / CpuBackend.binary. All ops are exact (IEEE
// add/sub/mul/div with _rn intrinsics, comparisons, and Java's Math.max/min), so results are bit-identical to the CPU.
//
// Op codes are BinaryOp's constants in declaration order (CudaOps.binaryCode maps them explicitly).

#include "jqi_common.cuh"

namespace {

enum BinaryOp { ADD, SUB, MUL, DIV, EQ, GT, MAX, MIN };

__device__ __forceinline__ float apply(int op, float x, float y) {
    switch (op) {
        case ADD: return __fadd_rn(x, y);
        case SUB: return __fsub_rn(x, y);
        case MUL: return __fmul_rn(x, y);
        case DIV: return __fdiv_rn(x, y);
        case EQ: return x == y ? 1.0f : 0.0f;
        case GT: return x > y ? 1.0f : 0.0f;
        case MAX: return java_max(x, y);
        case MIN: return java_min(x, y);
        default: return __uint_as_float(0x7fc00000u);
    }
}

}  // namespace

// Broadcast strides, computed on the host (CpuBackend.broadcastStrides): a stride of 0 repeats an operand along that
// output axis. Passed by value, so a launch needs no device copy of them.
struct Broadcast {
    int rank;
    int dims[JQI_MAX_RANK];
    int a_strides[JQI_MAX_RANK];
    int b_strides[JQI_MAX_RANK];
};

// out[i] = op(x[i], y[i]): both operands have the output's shape.
extern "C" __global__ void jqi_zip_same(int op, const float* __restrict__ x, const float* __restrict__ y,
        float* __restrict__ out, long long n) {
    for (long long i = first_index(); i < n; i += grid_stride()) {
        out[i] = apply(op, x[i], y[i]);
    }
}

// out[i] = op(x[i], y[0]): a scalar right operand, the common case of CpuBackend.zip's second branch.
extern "C" __global__ void jqi_zip_scalar(int op, const float* __restrict__ x, const float* __restrict__ y,
        float* __restrict__ out, long long n) {
    float s = y[0];
    for (long long i = first_index(); i < n; i += grid_stride()) {
        out[i] = apply(op, x[i], s);
    }
}

// The general case: each output index is unravelled and dotted with each operand's broadcast strides.
extern "C" __global__ void jqi_zip_broadcast(int op, const float* __restrict__ x, const float* __restrict__ y,
        float* __restrict__ out, long long n, Broadcast shape) {
    for (long long i = first_index(); i < n; i += grid_stride()) {
        long long rest = i;
        long long ai = 0;
        long long bi = 0;
        for (int d = shape.rank - 1; d >= 0; d--) {
            int idx = static_cast<int>(rest % shape.dims[d]);
            rest /= shape.dims[d];
            ai += static_cast<long long>(idx) * shape.a_strides[d];
            bi += static_cast<long long>(idx) * shape.b_strides[d];
        }
        out[i] = apply(op, x[ai], y[bi]);
    }
}
