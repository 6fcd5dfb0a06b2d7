package io.jqi.cuda;

import static jcuda.jcublas.JCublas2.cublasCreate;
import static jcuda.jcublas.JCublas2.cublasSetMathMode;
import static jcuda.jcublas.JCublas2.cublasSetPointerMode;
import static jcuda.jcublas.JCublas2.cublasSetStream;
import static jcuda.jcublas.JCublas2.cublasSgemm;
import static jcuda.jcublas.JCublas2.cublasSgemmStridedBatched;
import static jcuda.jcublas.JCublas2.setExceptionsEnabled;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcublas.cublasOperation;
import jcuda.jcublas.cublasPointerMode;
import jcuda.runtime.cudaStream_t;

/**
 * jqi's row-major batched products on cuBLAS: one handle, created in {@link CudaContext}'s context after
 * {@link CublasProbe} found the library, so every call goes to the stream the backend's kernels use and is ordered
 * with them (no synchronisation, as for a kernel launch).
 *
 * <p>Float32 throughout: the handle's math mode is {@code CUBLAS_DEFAULT_MATH}, which for SGEMM excludes TF32
 * tensor cores (those need {@code CUBLAS_TF32_TENSOR_OP_MATH}), so products carry float32's 24-bit significands.
 * cuBLAS still chooses its own blocking, FMA and split-k, so results agree with the CPU within the GEMM tolerance of
 * docs/cuda.md, not bit for bit.
 */
final class CublasGemm {
    /**
     * cuBLAS documents no batch limit short of int, but some of its kernels may put the batch on a grid dimension
     * (at most 65,535 in y and z); chunking as jqi's kernel does costs one call per 65,535 products and relies on
     * nothing undocumented.
     */
    private static final int MAX_BATCH = 65_535;
    private static final Pointer ONE = Pointer.to(new float[] {1f});
    private static final Pointer ZERO = Pointer.to(new float[] {0f});

    private final cublasHandle handle = new cublasHandle();

    /** Creates the handle in the calling thread's current context; CudaException when cuBLAS cannot start there. */
    CublasGemm() {
        setExceptionsEnabled(true);
        cublasCreate(handle);
        // A null stream is the legacy default stream, where CudaContext launches every kernel and copy.
        cublasSetStream(handle, new cudaStream_t());
        cublasSetMathMode(handle, cublasMath.CUBLAS_DEFAULT_MATH);
        // alpha and beta are host floats, read before each call returns.
        cublasSetPointerMode(handle, cublasPointerMode.CUBLAS_POINTER_MODE_HOST);
    }

    /**
     * {@code c[i] = op(a[i]) * op(b[i])} for {@code i < batch}, row-major, as {@code CudaBackend.matmul} defines it:
     * operand i starts {@code i * stride} floats in (a stride of 0 shares one operand, which cuBLAS's strided
     * batched call accepts, so every stride fits one call per chunk), outputs are packed
     * {@code m x n}. Queued on the stream; returns at once. Synchronised because a cuBLAS handle is not meant for
     * concurrent calls.
     */
    synchronized void sgemm(CUdeviceptr a, CUdeviceptr b, CUdeviceptr c, int batch, int m, int k, int n,
            boolean transposeA, boolean transposeB, long aBatchStride, long bBatchStride) {
        ColumnMajorGemm g = ColumnMajorGemm.forRowMajor(m, k, n, transposeA, transposeB);
        int opA = g.transposeA() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int opB = g.transposeB() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        long cStride = (long) m * n;
        if (batch == 1) {
            cublasSgemm(handle, opA, opB, g.m(), g.n(), g.k(), ONE, b, g.lda(), a, g.ldb(), ZERO, c, g.ldc());
            return;
        }
        for (int b0 = 0; b0 < batch; b0 += MAX_BATCH) {
            int chunk = Math.min(MAX_BATCH, batch - b0);
            // cuBLAS's first operand is jqi's B (see ColumnMajorGemm).
            cublasSgemmStridedBatched(handle, opA, opB, g.m(), g.n(), g.k(), ONE,
                    b.withByteOffset(b0 * bBatchStride * Float.BYTES), g.lda(), bBatchStride,
                    a.withByteOffset(b0 * aBatchStride * Float.BYTES), g.ldb(), aBatchStride, ZERO,
                    c.withByteOffset(b0 * cStride * Float.BYTES), g.ldc(), cStride, chunk);
        }
    }
}
