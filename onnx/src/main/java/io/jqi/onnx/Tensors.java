package io.jqi.onnx;

import io.jqi.onnx.proto.OnnxTensor;
import io.jqi.tensor.Tensor;

/** Conversions between ONNX tensors and jqi's float tensors. */
final class Tensors {
    private Tensors() {
    }

    /** The tensor as floats with its dimensions; {@code where} names it in errors. */
    static Tensor toTensor(OnnxTensor t, NodeContext where) {
        long[] dims = t.dims();
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] > Integer.MAX_VALUE) {
                throw where.fail("tensor '" + t.name() + "' has a dimension of " + dims[i] + ", too large for jqi");
            }
            shape[i] = (int) dims[i];
        }
        if (t.numel() > Integer.MAX_VALUE - 8) {
            throw where.fail("tensor '" + t.name() + "' has " + t.numel() + " elements, too many for jqi");
        }
        float[] values;
        try {
            values = t.toFloats();
        } catch (UnsupportedOperationException e) {
            throw where.fail("tensor '" + t.name() + "' is " + t.dataType() + ", which jqi cannot read as floats");
        }
        return Tensor.of(values, shape);
    }

    /** A FLOAT ONNX tensor of {@code t}'s values. */
    static OnnxTensor fromTensor(String name, Tensor t) {
        int[] shape = t.shape().toArray();
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[i];
        }
        return OnnxTensor.ofFloats(name, dims, t.toFloatArray());
    }
}
