// Unary element-wise ops: CpuBackend.map / CpuBackend.unary. One thread per element, grid-stride loop.
//
// The op codes are UnaryOp's constants in declaration order; CudaOps.unaryCode maps them explicitly so that reordering
// the Java enum cannot silently change which op runs.
//
// Exact ops (bit-identical to the CPU): everything computed in float with _rn intrinsics in Java's order, plus SQRT
// (IEEE sqrt is correctly rounded on both sides). Transcendental ops (EXP, LOG, SIGMOID, TANH, SILU, POW, ERF) follow
// the CPU's formula in double and round to float once, as the CPU does; only the double-precision library function
// differs (Java's Math.exp/log/tanh/pow vs CUDA's, each within 1-2 double ulps), so results agree with the CPU to
// within 1 float ulp and are almost always identical (docs/cuda.md).

#include "jqi_common.cuh"

namespace {

enum UnaryOp {
    NEG, EXP, LOG, SQRT, ABS, SIGN, RECIPROCAL, ROUND, FLOOR, RELU, CLAMP, LEAKY_RELU, SIGMOID, TANH, HARDSWISH, SILU,
    AFFINE, INSIDE, POSITIVE, HARDSWISH_GRAD, POW, CEIL_POW2, DIVIDE, ERF
};

// io.jqi.tensor.Erf.erf: the same double operations in the same order (the series below 2.5, erfc's continued
// fraction above, 1 from 6 on, 60 terms each); only exp may differ from Java's by a double ulp.
__device__ __forceinline__ double java_erf(double x) {
    if (x != x) {
        return x;
    }
    const double a = fabs(x);
    double r;
    if (a >= 6.0) {
        r = 1.0;
    } else if (a < 2.5) {
        const double x2 = __dmul_rn(a, a);
        double term = a;
        double sum = a;
        for (int n = 1; n < 60; n++) {
            term = __ddiv_rn(__dmul_rn(term, -x2), static_cast<double>(n));
            sum = __dadd_rn(sum, __ddiv_rn(term, static_cast<double>(2 * n + 1)));
        }
        r = __dmul_rn(1.1283791670955126, sum);
    } else {
        double f = a;
        for (int k = 60; k >= 1; k--) {
            f = __dadd_rn(a, __ddiv_rn(__dmul_rn(static_cast<double>(k), 0.5), f));
        }
        r = __dsub_rn(1.0, __ddiv_rn(exp(-__dmul_rn(a, a)), __dmul_rn(1.7724538509055159, f)));
    }
    return x < 0 ? -r : r;
}

// The smallest power of two >= x: CpuBackend.ceilPowerOfTwo (PowerOfTwo.roundUp). frexpf is exact, subnormals
// included: x = m * 2^e with m in [0.5, 1), and x is a power of two exactly when m == 0.5.
__device__ __forceinline__ float ceil_pow2(float x) {
    if (!(x > 0.0f)) {
        return __uint_as_float(0x7fc00000u);
    }
    if (isinf(x)) {
        return x;
    }
    int e;
    float m = frexpf(x, &e);
    return m == 0.5f ? x : ldexpf(1.0f, e);
}

// Math.pow's special cases where C's pow differs: a NaN exponent gives NaN (C gives 1 for base 1), and |base| == 1
// with an infinite exponent gives NaN (C gives 1).
__device__ __forceinline__ double java_pow(double x, double y) {
    if (y == 0.0) {
        return 1.0;
    }
    if (y != y) {
        return y;
    }
    if (fabs(x) == 1.0 && isinf(y)) {
        return __longlong_as_double(0x7ff8000000000000LL);
    }
    return pow(x, y);
}

__device__ __forceinline__ float apply(int op, float x, float a, float b) {
    switch (op) {
        case NEG: return -x;
        case EXP: return __double2float_rn(exp(static_cast<double>(x)));
        case LOG: return __double2float_rn(log(static_cast<double>(x)));
        case SQRT: return __fsqrt_rn(x);
        case ABS: return fabsf(x);
        // Math.signum: NaN and signed zeros come back unchanged.
        case SIGN: return (x != x || x == 0.0f) ? x : copysignf(1.0f, x);
        case RECIPROCAL: return __fdiv_rn(1.0f, x);
        case ROUND: return rintf(x);
        case FLOOR: return floorf(x);
        case RELU: return x > 0.0f ? x : 0.0f;
        case CLAMP: return java_min(java_max(x, a), b);
        case LEAKY_RELU: return x > 0.0f ? x : __fmul_rn(a, x);
        // (float) (1.0 / (1.0 + Math.exp(-x))), in double.
        case SIGMOID: return __double2float_rn(__ddiv_rn(1.0, __dadd_rn(1.0, exp(-static_cast<double>(x)))));
        case TANH: return __double2float_rn(tanh(static_cast<double>(x)));
        // x * min(max(x + 3, 0), 6) / 6, left to right.
        case HARDSWISH:
            return __fdiv_rn(__fmul_rn(x, java_min(java_max(__fadd_rn(x, 3.0f), 0.0f), 6.0f)), 6.0f);
        // (float) (x / (1.0 + Math.exp(-x))), in double.
        case SILU:
            return __double2float_rn(__ddiv_rn(static_cast<double>(x), __dadd_rn(1.0, exp(-static_cast<double>(x)))));
        case AFFINE: return __fadd_rn(__fmul_rn(a, x), b);
        case INSIDE: return (x >= a && x <= b) ? 1.0f : 0.0f;
        case POSITIVE: return x > 0.0f ? 1.0f : 0.0f;
        case HARDSWISH_GRAD:
            return x < -3.0f ? 0.0f : x > 3.0f ? 1.0f : __fdiv_rn(__fadd_rn(__fmul_rn(2.0f, x), 3.0f), 6.0f);
        case POW: return __double2float_rn(java_pow(static_cast<double>(x), static_cast<double>(a)));
        case CEIL_POW2: return ceil_pow2(x);
        case DIVIDE: return __fdiv_rn(x, a);
        case ERF: return __double2float_rn(java_erf(static_cast<double>(x)));
        default: return __uint_as_float(0x7fc00000u);
    }
}

}  // namespace

// y[i] = op(x[i]; a, b) for i < n.
extern "C" __global__ void jqi_map(int op, const float* __restrict__ x, float* __restrict__ y, long long n, float a,
        float b) {
    for (long long i = first_index(); i < n; i += grid_stride()) {
        y[i] = apply(op, x[i], a, b);
    }
}
