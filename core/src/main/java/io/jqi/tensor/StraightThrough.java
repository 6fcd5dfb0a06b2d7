package io.jqi.tensor;

/**
 * The straight-through helpers of quantization-aware training (docs/quantizer-contract.md#straight-through-utilities).
 * Each forward value is exactly that of the plain operation (rint, clamp, identity), so a trainable quantizer computes
 * the same bits as its inferable form; only the gradient differs. Composing them as {@code x + stopgrad(f(x) - x)}
 * would usually give the same values but can be an ulp off, which the bit-exact conversion to inferable quantizers
 * cannot afford.
 */
final class StraightThrough {
    private StraightThrough() {
    }

    /** Forward rint (half to even); gradient passes unchanged. */
    static Tensor round(Tensor x) {
        Storage s = x.backend().map(UnaryOp.ROUND, x.storage(), 0f, 0f);
        return Tensor.result(x.shape(), s, g -> new Tensor[] {g}, x);
    }

    /** Forward clamp to [low, high]; gradient passes unchanged, even outside the range. */
    static Tensor clip(Tensor x, float low, float high) {
        Storage s = x.backend().map(UnaryOp.CLAMP, x.storage(), low, high);
        return Tensor.result(x.shape(), s, g -> new Tensor[] {g}, x);
    }

    /** Forward {@code value} exactly; the gradient goes to {@code surrogate} as if it had produced the output. */
    static Tensor substitute(Tensor value, Tensor surrogate) {
        value.requireSameShape("straightThrough surrogate", surrogate);
        Elementwise.requireSameDevice(value, surrogate);
        return Tensor.result(value.shape(), value.storage(), g -> new Tensor[] {null, g}, value.detach(), surrogate);
    }

    /** Forward identity; gradient multiplied by {@code scale}. */
    static Tensor gradScale(Tensor x, float scale) {
        return Tensor.result(x.shape(), x.storage(), g -> new Tensor[] {g.mul(scale)}, x);
    }
}
