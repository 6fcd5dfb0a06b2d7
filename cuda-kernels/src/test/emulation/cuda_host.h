// Host emulation of the CUDA built-ins the backend kernels use, so that the real .cu sources compile with g++ and their
// logic (index arithmetic, summation orders, special values) can be checked on a machine without a GPU
// (KernelEmulationTest). The threads of a block run as user-level fibers on one OS thread: __syncthreads switches to
// the block's scheduler, which resumes each fiber in turn and, once every live fiber has arrived, starts the next
// phase with the fibers in a fresh shuffled order (CUDA promises no order between barriers), so a missing barrier
// shows up as a wrong result. __shared__ becomes a function-static array, shared by the block's fibers, which is right
// because launch() runs blocks one after another (quant_host.h runs them concurrently, with per-block storage). The
// _rn intrinsics are plain IEEE float/double operations (compile with -ffp-contract=off; volatile stops x87-style
// excess precision); exp/log/tanh/pow are glibc's, so they stand in for CUDA's only within their ulp bounds.
#pragma once
#include <cmath>
#include <cstring>
#include <cstdint>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <thread>
#include <vector>
#include <functional>
struct dim3s { unsigned x = 1, y = 1, z = 1; };
inline thread_local dim3s threadIdx, blockIdx;
inline dim3s blockDim, gridDim;
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
// One rounding, as the device's fma.rn.f32 and Java's Math.fma: C's fmaf is correctly rounded.
inline float __fmaf_rn(float a, float b, float c) { return std::fma(a, b, c); }
inline float __fsqrt_rn(float a) { return std::sqrt(a); }
inline double __dadd_rn(double a, double b) { volatile double r = a + b; return r; }
inline double __ddiv_rn(double a, double b) { volatile double r = a / b; return r; }
inline double __dsub_rn(double a, double b) { volatile double r = a - b; return r; }
inline double __dmul_rn(double a, double b) { volatile double r = a * b; return r; }
inline float __double2float_rn(double d) { return (float) d; }
inline unsigned __float_as_uint(float f) { unsigned u; std::memcpy(&u, &f, 4); return u; }
inline float __uint_as_float(unsigned u) { float f; std::memcpy(&f, &u, 4); return f; }
inline float __int_as_float(int u) { float f; std::memcpy(&f, &u, 4); return f; }
inline double __longlong_as_double(long long u) { double f; std::memcpy(&f, &u, 8); return f; }
using std::isinf;
namespace fiber {

// A user-level context switch: saves the callee-saved registers on the current stack, stores its stack pointer in
// *from and resumes the stack `to`. glibc's swapcontext would do the same plus a signal-mask system call per switch,
// which made a block (thousands of switches) cost more than its arithmetic. x86-64 System V only.
#if !defined(__x86_64__)
#error "the quantizer kernel emulation switches fibers with x86-64 assembly"
#endif
extern "C" void jqi_fiber_switch(void** from, void* to);
asm(R"(
    .text
    .globl jqi_fiber_switch
    .type jqi_fiber_switch, @function
jqi_fiber_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size jqi_fiber_switch, .-jqi_fiber_switch
)");

constexpr size_t STACK_BYTES = 32 * 1024;

struct Block {
    void* scheduler = nullptr;
    std::vector<void*> sp;
    std::vector<int> state;  // 0 running, 1 at the barrier, 2 returned
    unsigned current = 0;
    const std::function<void()>* body = nullptr;
};
inline thread_local Block* running_block = nullptr;
// The fiber stacks of this OS thread, reused by every block it runs (left uninitialized, as a fiber writes its stack
// before reading it).
inline thread_local std::vector<std::unique_ptr<char[]>> stacks;

inline void fiber_sync() {
    Block* b = running_block;
    b->state[b->current] = 1;
    jqi_fiber_switch(&b->sp[b->current], b->scheduler);
}

[[noreturn]] inline void fiber_entry() {
    Block* b = running_block;
    (*b->body)();
    b->state[b->current] = 2;
    void* unused;
    jqi_fiber_switch(&unused, b->scheduler);
    std::abort();  // a returned fiber is never resumed
}

// A fresh stack whose first switch "returns" into fiber_entry with the alignment of a called function.
inline void* initial_stack(char* base) {
    auto top = reinterpret_cast<uintptr_t>(base + STACK_BYTES) & ~uintptr_t{15};
    auto* words = reinterpret_cast<void**>(top);
    *--words = nullptr;  // fiber_entry's own return address, never used
    *--words = reinterpret_cast<void*>(&fiber_entry);
    for (int r = 0; r < 6; r++) *--words = nullptr;  // rbp, rbx, r12-r15
    return words;
}

// Runs one block of `threads` fibers to completion on the calling OS thread.
inline void run_block(dim3s block, unsigned threads, const std::function<void()>& body, std::mt19937& rng) {
    Block b;
    b.body = &body;
    b.sp.resize(threads);
    b.state.assign(threads, 0);
    while (stacks.size() < threads) stacks.emplace_back(new char[STACK_BYTES]);
    for (unsigned t = 0; t < threads; t++) b.sp[t] = initial_stack(stacks[t].get());
    running_block = &b;
    blockIdx = block;
    std::vector<unsigned> order(threads);
    for (unsigned t = 0; t < threads; t++) order[t] = t;
    for (;;) {
        std::shuffle(order.begin(), order.end(), rng);
        unsigned waiting = 0, returned_now = 0;
        for (unsigned t : order) {
            if (b.state[t] == 2) continue;
            b.state[t] = 0;
            b.current = t;
            threadIdx = {t, 0, 0};
            jqi_fiber_switch(&b.scheduler, b.sp[t]);
            if (b.state[t] == 1) waiting++; else returned_now++;
        }
        if (waiting == 0) break;
        if (returned_now != 0) {
            // Some threads left the kernel while others wait at a __syncthreads: a divergent barrier, undefined
            // behaviour on the device.
            std::fprintf(stderr, "block (%u, %u, %u): %u threads wait at __syncthreads while %u returned\n", block.x,
                         block.y, block.z, waiting,
                         returned_now);
            std::exit(3);
        }
    }
    running_block = nullptr;
}

}  // namespace fiber

#define __syncthreads fiber::fiber_sync

// Runs a kernel body over a grid, block after block on this thread, each block's threads as fibers.
inline void launch(unsigned gx, unsigned gy, unsigned gz, unsigned block, const std::function<void()>& body) {
    gridDim = {gx, gy, gz};
    blockDim = {block, 1, 1};
    std::mt19937 rng(gx * 31u + gy * 17u + gz);
    for (unsigned z = 0; z < gz; z++) for (unsigned y = 0; y < gy; y++) for (unsigned x = 0; x < gx; x++) {
        fiber::run_block({x, y, z}, block, body, rng);
    }
}
