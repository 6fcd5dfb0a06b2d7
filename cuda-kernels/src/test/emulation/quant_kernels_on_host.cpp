// The quantizer kernels (fake_quant.cu, quant_backward.cu) compiled for the host (see quant_host.h), driven by a
// line protocol on stdin/stdout like kernels_on_host.cpp: an op name, its scalar arguments (floats as hex bits),
// the Layout's 7 ints, then float arrays as "count hex-bits...". One process per call; HostQuantKernels writes the
// requests and repeats the Java loaders' launch arithmetic. Build: g++ -std=c++20 -O1 -ffp-contract=off -pthread
// -I <src/main/cuda> -I <this directory> quant_kernels_on_host.cpp.
#include "quant_host.h"
#include <iostream>
#include <string>
namespace k_quant {
#include "fake_quant.cu"
#include "quant_backward.cu"
}
using k_quant::Layout;

static float read_float(std::istream& in) {
    unsigned u; in >> std::hex >> u >> std::dec; return __uint_as_float(u);
}
static std::vector<float> read_floats(std::istream& in) {
    size_t n; in >> n; std::vector<float> v(n);
    for (size_t i = 0; i < n; i++) v[i] = read_float(in);
    return v;
}
static Layout read_layout(std::istream& in) {
    int v[7]; for (int& i : v) in >> i;
    Layout l{}; std::memcpy(&l, v, sizeof(l)); return l;
}
static void write_floats(const std::vector<float>& v) {
    std::printf("%zu", v.size());
    for (float f : v) std::printf(" %x", __float_as_uint(f));
    std::printf("\n");
}
// An empty array stands for a null pointer.
static float* or_null(std::vector<float>& v) { return v.empty() ? nullptr : v.data(); }

int main() {
    std::string op; std::cin >> op;
    unsigned grid; std::cin >> grid;  // the launch's grid size, from the Java loader's arithmetic
    if (op == "affine") {
        // rounding 0: half-even (jqi_fake_quant_affine), 1: TF's nudged half-up (jqi_fake_quant_tf_nudge).
        int rounding; std::cin >> rounding;
        float qmin = read_float(std::cin), qmax = read_float(std::cin); Layout l = read_layout(std::cin);
        auto x = read_floats(std::cin); auto steps = read_floats(std::cin); auto zp = read_floats(std::cin);
        std::vector<float> y(x.size());
        launch_sequential(grid, 256, [&] {
            if (rounding == 1) {
                k_quant::jqi_fake_quant_tf_nudge(x.data(), y.data(), steps.data(), or_null(zp), qmin, qmax, l);
            } else {
                k_quant::jqi_fake_quant_affine(x.data(), y.data(), steps.data(), or_null(zp), qmin, qmax, l);
            }
        });
        write_floats(y);
    } else if (op == "lut") {
        float m = read_float(std::cin), lo = read_float(std::cin), hi = read_float(std::cin);
        float eps = read_float(std::cin); Layout l = read_layout(std::cin);
        auto x = read_floats(std::cin); auto levels = read_floats(std::cin); auto t = read_floats(std::cin);
        std::vector<float> y(x.size());
        launch_sequential(grid, 256, [&] {
            k_quant::jqi_fake_quant_lut(x.data(), y.data(), levels.data(), (int) levels.size(), t.data(), m, lo, hi,
                                        eps, l);
        });
        write_floats(y);
    } else if (op == "unigrid") {
        float k = read_float(std::cin);
        auto mins = read_floats(std::cin); auto maxs = read_floats(std::cin);
        std::vector<float> steps(mins.size()), zp(mins.size());
        launch_sequential(grid, 256, [&] {
            k_quant::jqi_uniform_grid(mins.data(), maxs.data(), steps.data(), zp.data(), (int) mins.size(), k);
        });
        write_floats(steps); write_floats(zp);
    } else if (op == "backward") {
        // grid = channels * blocks_per_channel blocks of BLOCK threads, on `workers` OS threads in an order from
        // `seed`. Launched `launches` times on one workspace, as CudaQuantBackward reuses it: the counters are zeroed
        // once, when allocated, and the kernel must leave them at zero. Prints every launch's dx, dSteps and dOffsets
        // (empty where not computed), then the counters.
        unsigned seed, workers, launches; int bpc, clipped, trains, with_offsets;
        std::cin >> seed >> workers >> launches >> bpc >> clipped >> trains >> with_offsets;
        float qmin = read_float(std::cin), qmax = read_float(std::cin);
        Layout l = read_layout(std::cin);
        auto x = read_floats(std::cin); auto dy = read_floats(std::cin);
        auto steps = read_floats(std::cin); auto offsets = read_floats(std::cin);
        const size_t channels = l.channels;
        // Garbage in the partials, as in freshly allocated device memory: every value read must have been written.
        std::vector<float> partials(channels * bpc * (with_offsets ? 4 : 2), __uint_as_float(0x7fbadbadu));
        std::vector<unsigned> counters(channels, 0u);
        for (unsigned run = 0; run < launches; run++) {
            std::vector<float> dx(x.size(), __uint_as_float(0x7fbadbadu));
            std::vector<float> d_steps(trains ? channels : 0, __uint_as_float(0x7fbadbadu));
            std::vector<float> d_offsets(trains && with_offsets ? channels : 0, __uint_as_float(0x7fbadbadu));
            launch_blocks(grid, k_quant::BLOCK, workers, seed + run, [&] {
                k_quant::jqi_fake_quant_backward(x.data(), dy.data(), dx.data(), steps.data(), or_null(offsets),
                                                 or_null(d_steps), or_null(d_offsets), partials.data(),
                                                 counters.data(), qmin, qmax, clipped, l, bpc);
            });
            write_floats(dx); write_floats(d_steps); write_floats(d_offsets);
        }
        std::printf("%zu", counters.size());
        for (unsigned c : counters) std::printf(" %u", c);
        std::printf("\n");
    } else {
        std::fprintf(stderr, "unknown op %s\n", op.c_str());
        return 2;
    }
    return 0;
}
