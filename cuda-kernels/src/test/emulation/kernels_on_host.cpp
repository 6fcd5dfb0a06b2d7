// The backend's .cu files compiled for the host (see cuda_host.h), driven by a line protocol on stdin/stdout: an op
// name, its scalar arguments, then float arrays as "count hex-bits..." and int arrays as "count values...". One
// process per call; HostKernelBackend writes the requests. Build: g++ -std=c++20 -O1 -ffp-contract=off -pthread
// -I <src/main/cuda> -I <this directory> kernels_on_host.cpp.
#include "cuda_host.h"
#include <cstdio>
#include <iostream>
#include <string>
#include <sstream>
// The shared header first, at global scope (its #pragma once keeps the .cu files from re-including it), then each .cu
// in a namespace of its own so that their file-local helpers do not clash.
#include "jqi_common.cuh"
namespace k_map {
#include "map.cu"
}
namespace k_zip {
#include "zip.cu"
}
namespace k_sum {
#include "sum_to.cu"
}
namespace k_max {
#include "max_last_axis.cu"
}
namespace k_gemm {
#include "gemm.cu"
}
namespace k_perm {
#include "permute.cu"
}
namespace k_rows {
#include "copy_rows.cu"
}
namespace k_axpy {
#include "axpy.cu"
}
namespace k_im2col {
#include "im2col.cu"
}
namespace k_col2im {
#include "col2im.cu"
}
namespace k_maxpool {
#include "max_pool.cu"
}
namespace k_avgpool {
#include "avg_pool.cu"
}

static std::vector<float> read_floats(std::istream& in) {
    size_t n; in >> n; std::vector<float> v(n);
    for (size_t i = 0; i < n; i++) { unsigned u; in >> std::hex >> u >> std::dec; v[i] = __uint_as_float(u); }
    return v;
}
static std::vector<int> read_ints(std::istream& in) {
    size_t n; in >> n; std::vector<int> v(n);
    for (size_t i = 0; i < n; i++) in >> v[i];
    return v;
}
static void write_floats(const std::vector<float>& v) {
    std::printf("%zu", v.size());
    for (float f : v) std::printf(" %x", __float_as_uint(f));
    std::printf("\n");
}
static void write_ints(const std::vector<int>& v) {
    std::printf("%zu", v.size());
    for (int f : v) std::printf(" %d", f);
    std::printf("\n");
}
// 1-D grid-stride kernels: one thread walks every element.
static void serial(const std::function<void()>& body) { launch(1, 1, 1, 1, body); }

int main() {
    std::string op; std::cin >> op;
    if (op == "map") {
        int code; float a, b; std::cin >> code; unsigned ua, ub; std::cin >> std::hex >> ua >> ub >> std::dec;
        a = __uint_as_float(ua); b = __uint_as_float(ub);
        auto x = read_floats(std::cin); std::vector<float> y(x.size());
        serial([&] { k_map::jqi_map(code, x.data(), y.data(), x.size(), a, b); });
        write_floats(y);
    } else if (op == "zip") {
        int code, kind; std::cin >> code >> kind;
        auto plan = read_ints(std::cin); auto x = read_floats(std::cin); auto y = read_floats(std::cin);
        long long n; std::cin >> n; std::vector<float> out(n);
        k_zip::Broadcast br{}; std::memcpy(&br, plan.data(), sizeof(br));
        if (kind == 0) serial([&] { k_zip::jqi_zip_same(code, x.data(), y.data(), out.data(), n); });
        else if (kind == 1) serial([&] { k_zip::jqi_zip_scalar(code, x.data(), y.data(), out.data(), n); });
        else serial([&] { k_zip::jqi_zip_broadcast(code, x.data(), y.data(), out.data(), n, br); });
        write_floats(out);
    } else if (op == "sum") {
        auto plan = read_ints(std::cin); auto x = read_floats(std::cin); long long outputs, reduced;
        std::cin >> outputs >> reduced; std::vector<float> out(outputs);
        k_sum::SumPlan p{}; std::memcpy(&p, plan.data(), sizeof(p));
        launch(outputs, 1, 1, 256, [&] { k_sum::jqi_sum_to(x.data(), out.data(), reduced, p); });
        write_floats(out);
    } else if (op == "max") {
        int rows, cols, want; std::cin >> rows >> cols >> want; auto x = read_floats(std::cin);
        std::vector<float> out(rows); std::vector<int> am(rows);
        serial([&] { k_max::jqi_max_last_axis(x.data(), out.data(), want ? am.data() : nullptr, rows, cols); });
        write_floats(out); write_ints(am);
    } else if (op == "gemm") {
        int gx, gy, gz, m, k, n, ar, ac, br_, bc; long long as, bs;
        std::cin >> gx >> gy >> gz >> m >> k >> n >> ar >> ac >> br_ >> bc >> as >> bs;
        auto a = read_floats(std::cin); auto b = read_floats(std::cin); std::vector<float> c((size_t) gz * m * n);
        launch(gx, gy, gz, 256, [&] { k_gemm::jqi_gemm(a.data(), b.data(), c.data(), m, k, n, ar, ac, br_, bc, as, bs); });
        write_floats(c);
    } else if (op == "permute") {
        auto plan = read_ints(std::cin); auto x = read_floats(std::cin); std::vector<float> out(x.size());
        k_perm::PermutePlan p{}; std::memcpy(&p, plan.data(), sizeof(p));
        serial([&] { k_perm::jqi_permute(x.data(), out.data(), x.size(), p); });
        write_floats(out);
    } else if (op == "rows") {
        int rows, row; long long sp, so, dp, dofs, outn; std::cin >> rows >> row >> sp >> so >> dp >> dofs >> outn;
        auto src = read_floats(std::cin); auto dst = read_floats(std::cin);
        serial([&] { k_rows::jqi_copy_rows(src.data(), dst.data(), rows, row, sp, so, dp, dofs); });
        write_floats(dst);
    } else if (op == "axpy") {
        unsigned ua; std::cin >> std::hex >> ua >> std::dec; float alpha = __uint_as_float(ua);
        auto t = read_floats(std::cin); auto x = read_floats(std::cin);
        serial([&] { k_axpy::jqi_axpy(t.data(), alpha, x.data(), t.size()); });
        write_floats(t);
    } else {
        auto wv = read_ints(std::cin); Window2d w{}; std::memcpy(&w, wv.data(), sizeof(w));
        auto x = read_floats(std::cin); long long outn; std::cin >> outn; std::vector<float> out(outn);
        if (op == "im2col") serial([&] { k_im2col::jqi_im2col(x.data(), out.data(), w); });
        else if (op == "col2im") serial([&] { k_col2im::jqi_col2im(x.data(), out.data(), w); });
        else if (op == "maxpool") {
            std::vector<int> am(outn);
            serial([&] { k_maxpool::jqi_max_pool(x.data(), out.data(), am.data(), w); });
            write_floats(out); write_ints(am); return 0;
        } else if (op == "maxpoolb") {
            auto am = read_ints(std::cin);
            serial([&] { k_maxpool::jqi_max_pool_backward(x.data(), am.data(), out.data(), w); });
        } else if (op == "avgpool") serial([&] { k_avgpool::jqi_avg_pool(x.data(), out.data(), w); });
        else if (op == "avgpoolb") serial([&] { k_avgpool::jqi_avg_pool_backward(x.data(), out.data(), w); });
        write_floats(out);
    }
    return 0;
}
