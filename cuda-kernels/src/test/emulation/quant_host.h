// Host emulation of what the quantizer kernels (fake_quant.cu, quant_backward.cu) need beyond cuda_host.h: device
// atomics and fences, __ldcg, __umulhi/__clz, and a launcher that runs blocks concurrently, each with its own
// shared memory.
//
// A block runs on one OS thread as fibers (cuda_host.h). __shared__ is thread_local here, so it is per block: the
// fibers of a block share their OS thread's copy, and blocks on other OS threads have their own.
// Blocks of a grid run concurrently on a pool of OS threads, taken in a shuffled order, so that the backward's
// last-block handshake (partials, __threadfence, atomicAdd on a counter) runs with blocks of one channel really
// overlapping and finishing in varied orders. The fences and atomics map onto the C++ memory model (seq_cst fence,
// atomic read-modify-write), which gives exactly the ordering the CUDA code relies on and no more.
#pragma once
#include "cuda_host.h"
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <random>

#undef __shared__
#define __shared__ static thread_local

// rintf, floorf and fabsf are the C library's: exact in round-to-nearest-even, as CUDA's.

inline void __threadfence() { std::atomic_thread_fence(std::memory_order_seq_cst); }
inline unsigned atomicAdd(unsigned* address, unsigned value) {
    return std::atomic_ref<unsigned>(*address).fetch_add(value, std::memory_order_relaxed);
}
inline int atomicAdd(int* address, int value) {
    return std::atomic_ref<int>(*address).fetch_add(value, std::memory_order_relaxed);
}
// A load through L2: on the host an atomic load, so that reading another block's partials is no data race in C++
// terms (it is ordered by the fences around the counter, as on the device).
inline float __ldcg(const float* address) {
    return std::atomic_ref<float>(*const_cast<float*>(address)).load(std::memory_order_relaxed);
}
inline unsigned __umulhi(unsigned a, unsigned b) {
    return static_cast<unsigned>((static_cast<unsigned long long>(a) * b) >> 32);
}
inline int __clz(unsigned x) { return x == 0 ? 32 : __builtin_clz(x); }



// Launches `body` on a 1-D grid of `grid` blocks of `threads` threads: blocks concurrently on `workers` OS threads,
// taken in an order shuffled by `seed`.
inline void launch_blocks(unsigned grid, unsigned threads, unsigned workers, unsigned seed,
                          const std::function<void()>& body) {
    gridDim = {grid, 1, 1};
    blockDim = {threads, 1, 1};
    std::vector<unsigned> order(grid);
    for (unsigned i = 0; i < grid; i++) order[i] = i;
    std::mt19937 shuffle(seed);
    std::shuffle(order.begin(), order.end(), shuffle);
    std::atomic<unsigned> next{0};
    std::vector<std::thread> pool;
    for (unsigned w = 0; w < std::min(workers, grid); w++) {
        pool.emplace_back([&, w] {
            std::mt19937 rng(seed * 7919u + w);
            for (unsigned i = next++; i < grid; i = next++) {
                fiber::run_block({order[i], 1, 1}, threads, body, rng);
            }
        });
    }
    for (auto& t : pool) t.join();
}

// A grid of blocks without __syncthreads (the element-wise kernels): every (block, thread) in turn on this thread,
// so the grid-stride loops see the launch's real grid and block sizes.
inline void launch_sequential(unsigned grid, unsigned threads, const std::function<void()>& body) {
    gridDim = {grid, 1, 1};
    blockDim = {threads, 1, 1};
    for (unsigned bx = 0; bx < grid; bx++) {
        for (unsigned t = 0; t < threads; t++) {
            blockIdx = {bx, 0, 0};
            threadIdx = {t, 0, 0};
            body();
        }
    }
}
