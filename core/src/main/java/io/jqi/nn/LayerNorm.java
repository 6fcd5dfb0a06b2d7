package io.jqi.nn;

import io.jqi.tensor.Tensor;
import java.util.Arrays;

/**
 * Layer normalization over the trailing axes of shape {@code normalizedShape} (PyTorch's {@code nn.LayerNorm}, ONNX's
 * LayerNormalization): {@code (x - mean) / sqrt(var + eps) * weight + bias}, with the biased variance, mean and
 * variance taken over those axes of each sample. Parameters {@code weight} (ones) and {@code bias} (zeros), of
 * {@code normalizedShape}.
 */
public final class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final float eps;

    /** PyTorch's default eps, 1e-5. */
    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5f);
    }

    public LayerNorm(int[] normalizedShape, float eps) {
        if (normalizedShape.length == 0 || Arrays.stream(normalizedShape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("LayerNorm needs a normalized shape of positive sizes, got "
                    + Arrays.toString(normalizedShape));
        }
        if (!(eps > 0f) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException("LayerNorm: eps must be finite and > 0, got " + eps);
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        registerParameter("weight", Tensor.ones(normalizedShape));
        registerParameter("bias", Tensor.zeros(normalizedShape));
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        Tensor x = singleInput(inputs);
        int k = normalizedShape.length;
        int[] dims = x.shape().toArray();
        if (dims.length < k || !Arrays.equals(Arrays.copyOfRange(dims, dims.length - k, dims.length), normalizedShape)) {
            throw new IllegalArgumentException("LayerNorm" + Arrays.toString(normalizedShape) + " expects inputs "
                    + "ending in " + Arrays.toString(normalizedShape) + ", got " + x.shape());
        }
        int[] axes = new int[k];
        for (int i = 0; i < k; i++) {
            axes[i] = dims.length - k + i;
        }
        Tensor centered = x.sub(x.mean(axes, true));
        Tensor variance = centered.mul(centered).mean(axes, true);
        return centered.div(variance.add(eps).sqrt()).mul(parameter("weight")).add(parameter("bias"));
    }

    public int[] normalizedShape() {
        return normalizedShape.clone();
    }

    public float eps() {
        return eps;
    }

    public Tensor weight() {
        return parameter("weight");
    }

    public Tensor bias() {
        return parameter("bias");
    }
}
