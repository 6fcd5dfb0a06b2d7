package io.jqi.onnx.export;

import io.jqi.grid.AffineGrid;
import io.jqi.grid.IntegerRange;
import io.jqi.grid.LutGrid;
import io.jqi.grid.RoundingMode;
import io.jqi.onnx.proto.OnnxAttribute;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerSpec;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.inferable.QuantizerConfig;
import io.jqi.quant.inferable.WeightsInferableQuantizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference's custom-op nodes (docs/quantizer-contract.md#mctq-export): one {@code mct_quantizers} node per
 * quantizer, with the op types, input order and attributes the reference's exporter writes, tensor parameters fed by
 * {@code Constant} nodes and scalars as attributes. Everything is read from the quantizer's description,
 * {@link InferableQuantizer#spec()} (the op type from target and method; bits, sign, channel axis, rounding) and
 * {@link InferableQuantizer#grid()} (the thresholds, the LUT), whatever the quantizer's class; a quantizer whose grid
 * does not fit its method's op is refused naming its class and why. Activation LUTs have no custom op in the reference;
 * they are written as ordinary ONNX ops ({@link LutActivationNodes}), as the reference's tracing does.
 */
final class MctqNodes {
    /** The custom-op domain. */
    static final String DOMAIN = "mct_quantizers";
    /** The {@code mct_quantizers} release whose op set jqi writes (docs/quantizer-contract.md#mctq-export). */
    static final String MCTQ_VERSION = "1.6.0";
    /** The domain's opset version in the model's opset imports. */
    static final long DOMAIN_VERSION = 1;

    private MctqNodes() {
    }

    /** The custom node quantizing the weight tensor {@code x} (a float initializer) of rank {@code rank}. */
    static String weights(GraphWriter g, String x, WeightsInferableQuantizer q, int rank, String hint, String where) {
        QuantizerSpec spec = q.spec();
        requireHalfEven(spec, q, where);
        List<String> inputs = new ArrayList<>(List.of(x));
        List<OnnxAttribute> attributes = new ArrayList<>(List.of(OnnxAttribute.ofInt("num_bits", spec.bits()),
                OnnxAttribute.ofInt("per_channel", spec.perChannel() ? 1 : 0),
                // The quantizer's own axis, 0 when it has none: what the reference writes.
                OnnxAttribute.ofInt("channel_axis", q.channelAxis().orElse(0))));
        switch (spec.method()) {
            case POWER_OF_TWO, SYMMETRIC -> {
                float[] thresholds = thresholds(q, where);
                inputs.add(g.constant(hint + "_threshold", dims(thresholds), thresholds));
            }
            case UNIFORM -> {
                float[][] range = adjustedRange(q, where);
                inputs.add(g.constant(hint + "_min_range", dims(range[0]), range[0]));
                inputs.add(g.constant(hint + "_max_range", dims(range[1]), range[1]));
            }
            case LUT_POT, LUT_SYMMETRIC -> {
                LutGrid lut = lut(q, where);
                float[] levels = lut.levels();
                float[] thresholds = lut.thresholds();
                inputs.add(g.constant(hint + "_lut_values", dims(levels), levels));
                inputs.add(g.constant(hint + "_threshold", dims(thresholds), thresholds));
                // The reference writes input_rank 4 for a per-tensor quantizer without one; jqi knows the real rank.
                attributes.add(OnnxAttribute.ofInt("input_rank", q.inputRank().orElse(rank)));
                attributes.add(OnnxAttribute.ofInt("lut_values_bitwidth", lutValuesBitwidth(spec, lut)));
                attributes.add(OnnxAttribute.ofFloat("eps", lut.eps()));
            }
        }
        // signed = 1 even for the unsigned uniform grid: the reference writes it so
        // (docs/quantizer-contract.md#quirk-onnx-attributes).
        attributes.add(OnnxAttribute.ofInt("signed", 1));
        attributes.add(version());
        return g.node(opType(spec), DOMAIN, hint, inputs, attributes.toArray(new OnnxAttribute[0]));
    }

    /** The custom node quantizing activation {@code x}, or ordinary ops for a look-up table. */
    static String activation(GraphWriter g, String x, InferableQuantizer q, String hint, String where) {
        QuantizerSpec spec = q.spec();
        if (q.grid() instanceof LutGrid lut) {
            return LutActivationNodes.write(g, x, lut, hint);
        }
        requireHalfEven(spec, q, where);
        OnnxAttribute bits = OnnxAttribute.ofInt("num_bits", spec.bits());
        return switch (spec.method()) {
            case POWER_OF_TWO, SYMMETRIC -> g.node(opType(spec), DOMAIN, hint, List.of(x),
                    OnnxAttribute.ofFloat("threshold", thresholds(q, where)[0]),
                    OnnxAttribute.ofInt("signed", spec.signed() ? 1 : 0), bits, version());
            case UNIFORM -> {
                float[][] range = adjustedRange(q, where);
                yield g.node(opType(spec), DOMAIN, hint, List.of(x), OnnxAttribute.ofFloat("min_range", range[0][0]),
                        OnnxAttribute.ofFloat("max_range", range[1][0]), bits, version());
            }
            case LUT_POT, LUT_SYMMETRIC -> throw gridMismatch(q, where, "a look-up table");
        };
    }

    /** {@code Weights|Activation} + the method's name in the reference + {@code Quantizer}. */
    private static String opType(QuantizerSpec spec) {
        String method = switch (spec.method()) {
            case POWER_OF_TWO -> "POT";
            case SYMMETRIC -> "Symmetric";
            case UNIFORM -> "Uniform";
            case LUT_POT -> "LUTPOT";
            case LUT_SYMMETRIC -> "LUTSymmetric";
        };
        return (spec.target() == QuantizationTarget.WEIGHTS ? "Weights" : "Activation") + method + "Quantizer";
    }

    private static OnnxAttribute version() {
        return OnnxAttribute.ofString("mctq_version", MCTQ_VERSION);
    }

    /**
     * The custom ops round half to even and have no rounding attribute, so a TF-nudged quantizer written as one would
     * silently change its arithmetic.
     */
    private static void requireHalfEven(QuantizerSpec spec, InferableQuantizer q, String where) {
        if (spec.rounding() != RoundingMode.HALF_EVEN) {
            throw new OnnxExportException(where + ": " + name(q) + " uses rounding " + spec.rounding()
                    + ", but the mct_quantizers ops round ties to even and carry no rounding attribute; only "
                    + "HALF_EVEN quantizers (jqi's default) export");
        }
    }

    private static AffineGrid affine(InferableQuantizer q, String where) {
        if (q.grid() instanceof AffineGrid affine) {
            return affine;
        }
        throw gridMismatch(q, where, "the affine grid its custom op computes");
    }

    private static LutGrid lut(InferableQuantizer q, String where) {
        if (q.grid() instanceof LutGrid lut) {
            return lut;
        }
        throw gridMismatch(q, where, "the look-up table its custom op computes");
    }

    /**
     * The threshold T of each channel of a symmetric grid: {@code step * 2^(n - s)}, exactly the threshold the step
     * was divided from ({@link AffineGrid#symmetric}: dividing and multiplying by a power of two are exact while the
     * step is a normal float). The custom op computes the grid {@code [qmin, qmax] * T / 2^(n - s)} with zero point
     * 0, so a grid with other integers or zero points is refused.
     */
    private static float[] thresholds(InferableQuantizer q, String where) {
        QuantizerSpec spec = q.spec();
        AffineGrid grid = affine(q, where);
        IntegerRange integers = spec.integers();
        float[] thresholds = grid.steps();
        for (int c = 0; c < thresholds.length; c++) {
            if (grid.zeroPoint(c) != 0f || grid.qmin() != integers.qmin() || grid.qmax() != integers.qmax()) {
                throw new OnnxExportException(where + ": " + name(q) + " is a " + spec.method() + " quantizer, but "
                        + "its grid (integers [" + grid.qmin() + ", " + grid.qmax() + "], zero point "
                        + grid.zeroPoint(c) + ") is not the symmetric grid of " + spec.bits() + (spec.signed()
                        ? " signed" : " unsigned") + " bits, which is all its custom op has a threshold for");
            }
            thresholds[c] *= integers.levels();
        }
        return thresholds;
    }

    /**
     * The adjusted range {@code [min', max']} per channel, which the custom op recomputes its grid from. The grid
     * does not hold it (its step is the range's width divided by {@code 2^n - 1}, rounded, so {@code max'} cannot be
     * recovered from it); the quantizer's own configuration does, under the reference's keys {@code min_range} and
     * {@code max_range} (docs/quantizer-contract.md#inferable-json-config). A uniform quantizer that writes no range
     * is refused.
     */
    private static float[][] adjustedRange(InferableQuantizer q, String where) {
        Map<String, float[]> config = new HashMap<>();
        q.writeConfig(new FloatArraysOf(config));
        float[] min = config.get("min_range");
        float[] max = config.get("max_range");
        if (min == null || max == null) {
            throw new OnnxExportException(where + ": " + name(q) + " is a UNIFORM quantizer whose configuration "
                    + "has no min_range and max_range, which the custom op takes and its grid's steps do not "
                    + "determine exactly");
        }
        return new float[][] {min, max};
    }

    /** The float arrays of a quantizer's configuration, by key; the rest is not needed here. */
    private record FloatArraysOf(Map<String, float[]> out) implements QuantizerConfig.Writer {
        @Override
        public void put(String key, float[] values) {
            out.put(key, values.clone());
        }

        @Override
        public void put(String key, int value) {
        }

        @Override
        public void putOptional(String key, Integer value) {
        }

        @Override
        public void put(String key, boolean value) {
        }

        @Override
        public void put(String key, float value) {
        }

        @Override
        public void put(String key, Enum<?> value) {
        }
    }

    /** The bit width b of the LUT's values, from its multiplier {@code 2^(b - s)}. */
    private static long lutValuesBitwidth(QuantizerSpec spec, LutGrid lut) {
        return Integer.numberOfTrailingZeros((int) lut.multiplier()) + (spec.signed() ? 1 : 0);
    }

    private static String name(InferableQuantizer q) {
        return q.getClass().getSimpleName();
    }

    private static OnnxExportException gridMismatch(InferableQuantizer q, String where, String expected) {
        return new OnnxExportException(where + ": " + name(q) + " is a " + q.spec().method() + " quantizer, but its "
                + "grid is a " + q.grid().getClass().getSimpleName() + ", not " + expected);
    }

    private static long[] dims(float[] values) {
        return new long[] {values.length};
    }
}
