package io.jqi.nn;

import io.jqi.tensor.Tensor;

/**
 * {@code clamp(alpha * x + beta, 0, 1)}, element-wise: ONNX's HardSigmoid. PyTorch's {@code hardsigmoid} (the gate
 * of MobileNetV3's squeeze-excite blocks) is alpha 1/6, beta 1/2; ONNX's defaults are 0.2 and 0.5.
 */
public final class HardSigmoid extends Module implements ElementwiseActivation {
    private final float alpha;
    private final float beta;

    /** PyTorch's {@code hardsigmoid}: {@code clamp(x / 6 + 1/2, 0, 1)}. */
    public HardSigmoid() {
        this(1f / 6f, 0.5f);
    }

    public HardSigmoid(float alpha, float beta) {
        if (!Float.isFinite(alpha) || !Float.isFinite(beta)) {
            throw new IllegalArgumentException("HardSigmoid needs a finite alpha and beta, got " + alpha + " and "
                    + beta);
        }
        this.alpha = alpha;
        this.beta = beta;
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        return singleInput(inputs).mul(alpha).add(beta).clamp(0f, 1f);
    }

    public float alpha() {
        return alpha;
    }

    public float beta() {
        return beta;
    }
}
