package io.jqi.data;

import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.Arrays;

/** Examples held in memory: row {@code i} of {@code inputs [N, ...]} with {@code labels[i]}. */
public final class TensorDataset implements Dataset {
    private final float[] values;
    private final Shape exampleShape;
    private final int exampleSize;
    private final int[] labels;

    /** Copies {@code inputs} and {@code labels}, so later changes to either do not reach the dataset. */
    public TensorDataset(Tensor inputs, int[] labels) {
        if (inputs.rank() < 1) {
            throw new IllegalArgumentException("TensorDataset needs inputs of shape [N, ...], got a scalar");
        }
        int n = inputs.shape().dim(0);
        if (labels.length != n) {
            throw new IllegalArgumentException("TensorDataset got " + n + " inputs but " + labels.length + " labels");
        }
        int[] dims = inputs.shape().toArray();
        this.exampleShape = Shape.of(Arrays.copyOfRange(dims, 1, dims.length));
        this.exampleSize = exampleShape.numel();
        this.values = inputs.toFloatArray();
        this.labels = labels.clone();
    }

    /** Takes ownership of arrays built by this class. */
    private TensorDataset(float[] values, Shape exampleShape, int[] labels) {
        this.values = values;
        this.exampleShape = exampleShape;
        this.exampleSize = exampleShape.numel();
        this.labels = labels;
    }

    /** The examples at {@code indexes}, in that order, as a new dataset (for train/test splits and subsets). */
    @Override
    public TensorDataset subset(int... indexes) {
        float[] picked = new float[Math.multiplyExact(indexes.length, exampleSize)];
        int[] pickedLabels = new int[indexes.length];
        for (int i = 0; i < indexes.length; i++) {
            int index = indexes[i];
            DatasetIndex.check(index, labels.length);
            System.arraycopy(values, index * exampleSize, picked, i * exampleSize, exampleSize);
            pickedLabels[i] = labels[index];
        }
        return new TensorDataset(picked, exampleShape, pickedLabels);
    }

    /** All inputs as one {@code [N, ...]} tensor (for evaluation and calibration in one pass). */
    public Tensor inputs() {
        int[] dims = new int[exampleShape.rank() + 1];
        dims[0] = labels.length;
        System.arraycopy(exampleShape.toArray(), 0, dims, 1, exampleShape.rank());
        return Tensor.of(values, dims);
    }

    public int[] labels() {
        return labels.clone();
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public Example get(int index) {
        DatasetIndex.check(index, labels.length);
        float[] input = Arrays.copyOfRange(values, index * exampleSize, (index + 1) * exampleSize);
        return new Example(input, exampleShape, labels[index]);
    }
}
