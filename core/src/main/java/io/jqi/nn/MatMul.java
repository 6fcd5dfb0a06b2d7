package io.jqi.nn;

import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;

/**
 * The matrix product with NumPy's {@code matmul} rules (ONNX {@code MatMul}): a 1-D first operand is a row vector and
 * a 1-D second one a column vector (their axis removed from the result), and the batch axes broadcast. A constant
 * 2-D second operand is better imported as a {@link Dense} layer, whose weight the quantizers see as a kernel.
 */
public final class MatMul extends BinaryLayer {
    /** Of two inputs. */
    public MatMul() {
    }

    /** Of one input and a constant operand (see {@link BinaryLayer}). */
    public MatMul(Tensor constant, boolean constantFirst) {
        super(constant, constantFirst);
    }

    @Override
    protected Tensor apply(Tensor a, Tensor b) {
        if (a.rank() == 0 || b.rank() == 0) {
            throw new IllegalArgumentException("MatMul needs operands of rank 1 or more, got " + a.shape() + " and "
                    + b.shape());
        }
        boolean rowVector = a.rank() == 1;
        boolean columnVector = b.rank() == 1;
        Tensor x = rowVector ? a.reshape(1, a.shape().dim(0)) : a;
        Tensor y = columnVector ? b.reshape(b.shape().dim(0), 1) : b;
        int[] xs = x.shape().toArray();
        int[] ys = y.shape().toArray();
        if (xs[xs.length - 1] != ys[ys.length - 2]) {
            throw new IllegalArgumentException("MatMul: shapes " + a.shape() + " and " + b.shape()
                    + " do not multiply (inner dimensions " + xs[xs.length - 1] + " and " + ys[ys.length - 2] + ")");
        }
        Tensor out;
        if (ys.length == 2) {
            out = x.matmul(y); // [..., m, k] @ [k, n]
        } else {
            // Broadcast the batch axes of both to one shape, as the batched product needs equal ones.
            int batchRank = Math.max(xs.length, ys.length) - 2;
            int[] batch = new int[batchRank];
            for (int i = 0; i < batchRank; i++) {
                int dx = dimFromEnd(xs, batchRank - i + 2);
                int dy = dimFromEnd(ys, batchRank - i + 2);
                if (dx != dy && dx != 1 && dy != 1) {
                    throw new IllegalArgumentException("MatMul: the batch axes of " + a.shape() + " and " + b.shape()
                            + " do not broadcast");
                }
                batch[i] = Math.max(dx, dy);
            }
            out = x.expand(batchShape(batch, xs)).matmul(y.expand(batchShape(batch, ys)));
        }
        int[] os = out.shape().toArray();
        if (rowVector || columnVector) {
            int[] squeezed = new int[os.length - (rowVector ? 1 : 0) - (columnVector ? 1 : 0)];
            int k = 0;
            for (int i = 0; i < os.length; i++) {
                boolean drop = (rowVector && i == os.length - 2) || (columnVector && i == os.length - 1);
                if (!drop) {
                    squeezed[k++] = os[i];
                }
            }
            out = out.reshape(squeezed);
        }
        return out;
    }

    /** The dimension {@code fromEnd} places before the end (1 = last), or 1 where the shape is shorter. */
    private static int dimFromEnd(int[] dims, int fromEnd) {
        int i = dims.length - fromEnd;
        return i >= 0 ? dims[i] : 1;
    }

    private static Shape batchShape(int[] batch, int[] matrix) {
        int[] dims = java.util.Arrays.copyOf(batch, batch.length + 2);
        dims[batch.length] = matrix[matrix.length - 2];
        dims[batch.length + 1] = matrix[matrix.length - 1];
        return Shape.of(dims);
    }
}
