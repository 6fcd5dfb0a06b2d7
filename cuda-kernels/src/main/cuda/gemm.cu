// Batched matrix product C[b] = op(A[b]) @ op(B[b]): CpuBackend.matmul (CpuGemm). A tiled shared-memory kernel: a
// 64 x 64 block of C per thread block, 256 threads each owning a 4 x 4 micro-tile, k consumed 16 at a time.
//
// CpuGemm promises the plain triple loop's bits: c = 0f, then c = fma(a[i][p], b[p][j], c) for p ascending, one
// rounding per fused multiply-add (docs/numerics.md#matrix-products). This kernel keeps exactly that order for every
// output element (tiles in ascending k, p ascending within a tile) with an explicit __fmaf_rn, so the product is
// bit-identical to the CPU's. -fmad=false still holds for every other operation: only this written FMA fuses.
//
// Element (u, v) of an operand is base[u * row_stride + v * col_stride]: a transpose just swaps the strides, and a
// batch stride of 0 broadcasts the operand over the batch.

#include "jqi_common.cuh"

#define TILE_M 64
#define TILE_N 64
#define TILE_K 16
#define THREADS 256

// grid (ceil(n / 64), ceil(m / 64), batch), block 256.
extern "C" __global__ void __launch_bounds__(THREADS) jqi_gemm(const float* __restrict__ a,
        const float* __restrict__ b, float* __restrict__ c, int m, int k, int n, int a_row, int a_col, int b_row,
        int b_col, long long a_batch_stride, long long b_batch_stride) {
    __shared__ float a_tile[TILE_K][TILE_M + 1];
    __shared__ float b_tile[TILE_K][TILE_N + 1];
    const float* a_batch = a + blockIdx.z * a_batch_stride;
    const float* b_batch = b + blockIdx.z * b_batch_stride;
    float* c_batch = c + static_cast<long long>(blockIdx.z) * m * n;
    int row0 = blockIdx.y * TILE_M;
    int col0 = blockIdx.x * TILE_N;
    int tx = threadIdx.x % 16;
    int ty = threadIdx.x / 16;
    float acc[4][4];
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 4; j++) {
            acc[i][j] = 0.0f;
        }
    }
    for (int p0 = 0; p0 < k; p0 += TILE_K) {
        // Each thread stages 4 elements of each tile; cells past the matrix edge read as 0 and are never summed
        // into a real output (the p loop below stops at k).
        for (int e = threadIdx.x; e < TILE_K * TILE_M; e += THREADS) {
            int p = e / TILE_M;
            int i = e % TILE_M;
            int gi = row0 + i;
            int gp = p0 + p;
            a_tile[p][i] = (gi < m && gp < k) ? a_batch[static_cast<long long>(gi) * a_row
                    + static_cast<long long>(gp) * a_col] : 0.0f;
        }
        for (int e = threadIdx.x; e < TILE_K * TILE_N; e += THREADS) {
            int p = e / TILE_N;
            int j = e % TILE_N;
            int gj = col0 + j;
            int gp = p0 + p;
            b_tile[p][j] = (gj < n && gp < k) ? b_batch[static_cast<long long>(gp) * b_row
                    + static_cast<long long>(gj) * b_col] : 0.0f;
        }
        __syncthreads();
        int depth = min(TILE_K, k - p0);
        for (int p = 0; p < depth; p++) {
            float av[4];
            float bv[4];
            for (int i = 0; i < 4; i++) {
                av[i] = a_tile[p][ty + 16 * i];
                bv[i] = b_tile[p][tx + 16 * i];
            }
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    acc[i][j] = __fmaf_rn(av[i], bv[j], acc[i][j]);
                }
            }
        }
        __syncthreads();
    }
    for (int i = 0; i < 4; i++) {
        int gi = row0 + ty + 16 * i;
        for (int j = 0; j < 4; j++) {
            int gj = col0 + tx + 16 * j;
            if (gi < m && gj < n) {
                c_batch[static_cast<long long>(gi) * n + gj] = acc[i][j];
            }
        }
    }
}
