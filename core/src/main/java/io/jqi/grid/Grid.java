package io.jqi.grid;

/**
 * A fake-quantization function with fixed parameters, per tensor ({@link #channels()} == 1) or per channel: an
 * {@link AffineGrid} (symmetric, power-of-two and uniform quantizers, in either rounding mode) or a {@link LutGrid}.
 * Grids are where jqi's quantization arithmetic lives on the host; the CPU backend runs their per-element formulas
 * and the CUDA kernels mirror them bit for bit (docs/quantizer-contract.md#float32-evaluation-order).
 */
public sealed interface Grid permits AffineGrid, LutGrid {
    /** How many channels the parameters describe. */
    int channels();

    /**
     * Writes the fake-quantized {@code in} to {@code out} (which may be {@code in}). {@code layout.channels()} must
     * equal {@link #channels()}.
     */
    void apply(float[] in, float[] out, ChannelLayout layout);

    /** The distinct values channel {@code channel} outputs, ascending (for plots and inspection). */
    float[] values(int channel);
}
