package io.jqi.nn;

import io.jqi.tensor.Tensor;
import java.util.Arrays;

/**
 * Pads every axis with a constant, or crops it where a pad is negative: ONNX's Pad in {@code constant} mode (what
 * PyTorch exports for {@code F.pad} and for average pooling that counts its padding, as in Inception and DenseNet).
 * {@code pads} is ONNX's layout: the begin pads of axes 0..r-1, then their end pads.
 */
public final class Pad extends Module {
    private final int[] pads;
    private final float value;

    public Pad(int[] pads, float value) {
        if (pads.length == 0 || pads.length % 2 != 0) {
            throw new IllegalArgumentException("Pad needs a begin and an end pad per axis, got " + Arrays.toString(pads));
        }
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException("Pad needs a finite constant, got " + value);
        }
        this.pads = pads.clone();
        this.value = value;
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        Tensor x = singleInput(inputs);
        int rank = pads.length / 2;
        if (x.rank() != rank) {
            throw new IllegalArgumentException("Pad " + Arrays.toString(pads) + " pads " + rank + " axes but the input "
                    + "has shape " + x.shape());
        }
        for (int axis = 0; axis < rank; axis++) {
            x = padAxis(x, axis, pads[axis], pads[axis + rank]);
        }
        return x;
    }

    private Tensor padAxis(Tensor x, int axis, int begin, int end) {
        int size = x.shape().dim(axis);
        int cropBegin = Math.max(0, -begin);
        int kept = size - cropBegin - Math.max(0, -end);
        if (kept < 0) {
            throw new IllegalArgumentException("Pad " + Arrays.toString(pads) + " crops " + (size - kept) + " entries "
                    + "of axis " + axis + ", which has " + size);
        }
        if (kept != size) {
            x = x.narrow(axis, cropBegin, kept);
        }
        if (begin <= 0 && end <= 0) {
            return x;
        }
        int[] shape = x.shape().toArray();
        Tensor before = begin > 0 ? block(x, shape, axis, begin) : null;
        Tensor after = end > 0 ? block(x, shape, axis, end) : null;
        Tensor[] parts = before == null ? new Tensor[] {x, after}
                : after == null ? new Tensor[] {before, x} : new Tensor[] {before, x, after};
        return Tensor.concat(axis, parts);
    }

    private Tensor block(Tensor x, int[] shape, int axis, int length) {
        int[] dims = shape.clone();
        dims[axis] = length;
        return Tensor.full(value, dims).to(x.backend());
    }

    /** ONNX's layout: begin pads of every axis, then end pads; negative entries crop. */
    public int[] pads() {
        return pads.clone();
    }

    public float value() {
        return value;
    }
}
