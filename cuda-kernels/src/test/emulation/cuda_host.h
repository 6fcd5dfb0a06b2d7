// Host emulation of the CUDA built-ins the backend kernels use, so that the real .cu sources compile with g++ and their
// logic (index arithmetic, summation orders, special values) can be checked on a machine without a GPU
// (KernelEmulationTest). Threads of a block run as std::threads with a barrier for __syncthreads; __shared__ becomes a
// function-static array, shared by the block's threads, which is right because blocks run one after another. The
// _rn intrinsics are plain IEEE float/double operations (compile with -ffp-contract=off; volatile stops x87-style
// excess precision); exp/log/tanh/pow are glibc's, so they stand in for CUDA's only within their ulp bounds.
#pragma once
#include <cmath>
#include <cstring>
#include <cstdint>
#include <algorithm>
#include <barrier>
#include <thread>
#include <vector>
#include <functional>
struct dim3s { unsigned x = 1, y = 1, z = 1; };
inline thread_local dim3s threadIdx, blockIdx;
inline dim3s blockDim, gridDim;
inline thread_local std::barrier<>* current_barrier = nullptr;
inline void __syncthreads() { current_barrier->arrive_and_wait(); }
#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define __restrict__
#define __launch_bounds__(x)
using std::min;
inline float __fadd_rn(float a, float b) { volatile float r = a + b; return r; }
inline float __fsub_rn(float a, float b) { volatile float r = a - b; return r; }
inline float __fmul_rn(float a, float b) { volatile float r = a * b; return r; }
inline float __fdiv_rn(float a, float b) { volatile float r = a / b; return r; }
inline float __fsqrt_rn(float a) { return std::sqrt(a); }
inline double __dadd_rn(double a, double b) { volatile double r = a + b; return r; }
inline double __ddiv_rn(double a, double b) { volatile double r = a / b; return r; }
inline float __double2float_rn(double d) { return (float) d; }
inline unsigned __float_as_uint(float f) { unsigned u; std::memcpy(&u, &f, 4); return u; }
inline float __uint_as_float(unsigned u) { float f; std::memcpy(&f, &u, 4); return f; }
inline float __int_as_float(int u) { float f; std::memcpy(&f, &u, 4); return f; }
inline double __longlong_as_double(long long u) { double f; std::memcpy(&f, &u, 8); return f; }
using std::isinf;
// Runs a kernel body over a grid: with block > 1, one std::thread per CUDA thread and a barrier for __syncthreads.
inline void launch(unsigned gx, unsigned gy, unsigned gz, unsigned block, const std::function<void()>& body) {
    gridDim = {gx, gy, gz};
    blockDim = {block, 1, 1};
    for (unsigned z = 0; z < gz; z++) for (unsigned y = 0; y < gy; y++) for (unsigned x = 0; x < gx; x++) {
        std::barrier<> bar(block);
        std::vector<std::thread> threads;
        for (unsigned t = 0; t < block; t++) {
            threads.emplace_back([&, t] {
                blockIdx = {x, y, z};
                threadIdx = {t, 0, 0};
                current_barrier = &bar;
                body();
            });
        }
        for (auto& th : threads) th.join();
    }
}
