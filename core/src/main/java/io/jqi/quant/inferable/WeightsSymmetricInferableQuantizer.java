package io.jqi.quant.inferable;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.Grid;
import io.jqi.grid.GridChecks;
import io.jqi.grid.RoundingMode;
import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerId;

/** Signed symmetric weights: step {@code T / 2^(n-1)}, integers {@code [-2^(n-1), 2^(n-1) - 1]}. */
@MarkQuantizer(target = QuantizationTarget.WEIGHTS, methods = QuantizationMethod.SYMMETRIC,
        identifier = QuantizerId.INFERABLE)
public class WeightsSymmetricInferableQuantizer extends WeightsInferableQuantizer {
    private final float[] threshold;
    private final RoundingMode rounding;
    private final Grid grid;

    /**
     * @param threshold one value per tensor, or one per channel on {@code channelAxis}
     * @param channelAxis required when per channel; ignored otherwise; may be negative
     * @param inputRank optional; when given, inputs must have this rank
     */
    public WeightsSymmetricInferableQuantizer(int numBits, float[] threshold, boolean perChannel, Integer channelAxis,
            Integer inputRank, RoundingMode rounding) {
        super(numBits, true, perChannel, channelAxis, inputRank, false, rounding);
        GridChecks.requireThresholds(threshold, perChannel);
        this.threshold = threshold.clone();
        this.rounding = rounding;
        this.grid = AffineGrid.symmetric(this.threshold, numBits, true, rounding);
    }

    /** Per-tensor, half-even rounding. */
    public static WeightsSymmetricInferableQuantizer perTensor(int numBits, float threshold) {
        return new WeightsSymmetricInferableQuantizer(numBits, new float[] {threshold}, false, null, null,
                RoundingMode.HALF_EVEN);
    }

    /** Per-channel on {@code channelAxis}, half-even rounding. */
    public static WeightsSymmetricInferableQuantizer perChannel(int numBits, float[] thresholds, int channelAxis) {
        return new WeightsSymmetricInferableQuantizer(numBits, thresholds, true, channelAxis, null,
                RoundingMode.HALF_EVEN);
    }

    @Override
    public final void writeConfig(QuantizerConfig.Writer out) {
        out.put("num_bits", numBits());
        out.put("threshold", threshold);
        writeChannels(out);
        out.put("rounding", rounding);
    }

    public static WeightsSymmetricInferableQuantizer fromConfig(QuantizerConfig.Reader in) {
        int bits = in.integer("num_bits");
        float[] threshold = in.numbers("threshold");
        Channels c = Channels.read(in);
        return new WeightsSymmetricInferableQuantizer(bits, threshold, c.perChannel(), c.channelAxis(),
                c.inputRank(), in.enumValue("rounding", RoundingMode.class, RoundingMode.HALF_EVEN));
    }

    public final float[] threshold() {
        return threshold.clone();
    }

    public final RoundingMode rounding() {
        return rounding;
    }

    @Override
    public final Grid grid() {
        return grid;
    }
}
