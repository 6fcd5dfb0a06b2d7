package io.jqi.cuda;

/**
 * A row-major product {@code C[m x n] = op(A)[m x k] * op(B)[k x n]} restated as the column-major call cuBLAS
 * takes. Read column-major, a row-major matrix is its transpose, so the call computes {@code C^T = op(B)^T op(A)^T}
 * into C's memory as it stands: cuBLAS's first operand is jqi's B, its second jqi's A, and its output has n rows.
 * Read column-major, a stored operand already is its transpose, so an operand jqi does not transpose goes in as
 * is ({@code CUBLAS_OP_N}) and one jqi transposes goes in transposed ({@code CUBLAS_OP_T}).
 *
 * <p>Names follow cuBLAS's {@code gemm} arguments: {@code a} is cuBLAS's first operand (jqi's B), {@code b} its
 * second (jqi's A). Kept free of JCublas types so that the mapping is testable without the native library.
 *
 * @param transposeA whether cuBLAS transposes its first operand (jqi's B)
 * @param transposeB whether cuBLAS transposes its second operand (jqi's A)
 * @param m          rows of cuBLAS's output: jqi's n
 * @param n          columns of cuBLAS's output: jqi's m
 * @param k          the shared dimension
 * @param lda        column-major leading dimension of jqi's B as stored
 * @param ldb        column-major leading dimension of jqi's A as stored
 * @param ldc        leading dimension of the output: jqi's n (rows of C are contiguous)
 */
record ColumnMajorGemm(boolean transposeA, boolean transposeB, int m, int n, int k, int lda, int ldb, int ldc) {

    /** The column-major call for jqi's row-major {@code op(A)[m x k] * op(B)[k x n]}. */
    static ColumnMajorGemm forRowMajor(int m, int k, int n, boolean transposeA, boolean transposeB) {
        // jqi's B is stored k x n (or n x k when transposed) row-major: its rows are the column-major columns.
        int ldFirst = transposeB ? k : n;
        // jqi's A is stored m x k (or k x m when transposed) row-major.
        int ldSecond = transposeA ? m : k;
        return new ColumnMajorGemm(transposeB, transposeA, n, m, k, ldFirst, ldSecond, n);
    }
}
