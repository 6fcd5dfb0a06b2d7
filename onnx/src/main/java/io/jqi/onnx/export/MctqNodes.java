package io.jqi.onnx.export;

import io.jqi.grid.RoundingMode;
import io.jqi.onnx.proto.OnnxAttribute;
import io.jqi.quant.inferable.ActivationLutPOTInferableQuantizer;
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.inferable.ActivationSymmetricInferableQuantizer;
import io.jqi.quant.inferable.ActivationUniformInferableQuantizer;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.inferable.WeightsInferableQuantizer;
import io.jqi.quant.inferable.WeightsLUTPOTInferableQuantizer;
import io.jqi.quant.inferable.WeightsLUTSymmetricInferableQuantizer;
import io.jqi.quant.inferable.WeightsPOTInferableQuantizer;
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer;
import io.jqi.quant.inferable.WeightsUniformInferableQuantizer;
import java.util.List;

/**
 * The reference's custom-op nodes (spec 10.2): one {@code mct_quantizers} node per quantizer, with the op types,
 * input order and attributes the reference's exporter writes, tensor parameters fed by {@code Constant} nodes and
 * scalars as attributes. The activation LUT quantizer has no custom op in the reference; it is written as ordinary
 * ONNX ops ({@link LutActivationNodes}), as the reference's tracing does.
 */
final class MctqNodes {
    /** The custom-op domain. */
    static final String DOMAIN = "mct_quantizers";
    /** The {@code mct_quantizers} release whose op set jqi writes (spec: mct_quantizers 1.6). */
    static final String MCTQ_VERSION = "1.6.0";
    /** The domain's opset version in the model's opset imports. */
    static final long DOMAIN_VERSION = 1;

    private MctqNodes() {
    }

    /** The custom node quantizing the weight tensor {@code x} (a float initializer) of rank {@code rank}. */
    static String weights(GraphWriter g, String x, WeightsInferableQuantizer q, int rank, String hint, String where) {
        long perChannel = q.perChannel() ? 1 : 0;
        long axis = q.channelAxis().orElse(0);
        OnnxAttribute bits = OnnxAttribute.ofInt("num_bits", q.numBits());
        OnnxAttribute version = OnnxAttribute.ofString("mctq_version", MCTQ_VERSION);
        if (q instanceof WeightsSymmetricInferableQuantizer s) {
            requireHalfEven(s.rounding(), q, where);
            String op = q instanceof WeightsPOTInferableQuantizer ? "WeightsPOTQuantizer" : "WeightsSymmetricQuantizer";
            String threshold = g.constant(hint + "_threshold", dims(s.threshold()), s.threshold());
            return g.node(op, DOMAIN, hint, List.of(x, threshold), bits, OnnxAttribute.ofInt("per_channel", perChannel),
                    OnnxAttribute.ofInt("channel_axis", axis), OnnxAttribute.ofInt("signed", 1), version);
        }
        if (q instanceof WeightsUniformInferableQuantizer u) {
            requireHalfEven(u.rounding(), q, where);
            String min = g.constant(hint + "_min_range", dims(u.minRange()), u.minRange());
            String max = g.constant(hint + "_max_range", dims(u.maxRange()), u.maxRange());
            // signed = 1 even for the unsigned uniform grid: the reference writes it so (spec 12, quirk 7).
            return g.node("WeightsUniformQuantizer", DOMAIN, hint, List.of(x, min, max), bits,
                    OnnxAttribute.ofInt("per_channel", perChannel), OnnxAttribute.ofInt("channel_axis", axis),
                    OnnxAttribute.ofInt("signed", 1), version);
        }
        if (q instanceof WeightsLUTSymmetricInferableQuantizer l) {
            String op = q instanceof WeightsLUTPOTInferableQuantizer ? "WeightsLUTPOTQuantizer"
                    : "WeightsLUTSymmetricQuantizer";
            String lut = g.constant(hint + "_lut_values", dims(l.lutValues()), l.lutValues());
            String threshold = g.constant(hint + "_threshold", dims(l.threshold()), l.threshold());
            // The reference writes input_rank 4 for a per-tensor quantizer without one; jqi knows the real rank.
            long inputRank = l.inputRank().orElse(rank);
            return g.node(op, DOMAIN, hint, List.of(x, lut, threshold), bits,
                    OnnxAttribute.ofInt("per_channel", perChannel), OnnxAttribute.ofInt("channel_axis", axis),
                    OnnxAttribute.ofInt("input_rank", inputRank),
                    OnnxAttribute.ofInt("lut_values_bitwidth", l.lutValuesBitwidth()),
                    OnnxAttribute.ofFloat("eps", l.eps()), OnnxAttribute.ofInt("signed", 1), version);
        }
        throw unsupported(q, where);
    }

    /** The custom node quantizing activation {@code x}, or ordinary ops for the LUT quantizer. */
    static String activation(GraphWriter g, String x, InferableQuantizer q, String hint, String where) {
        OnnxAttribute bits = OnnxAttribute.ofInt("num_bits", q.numBits());
        OnnxAttribute version = OnnxAttribute.ofString("mctq_version", MCTQ_VERSION);
        if (q instanceof ActivationSymmetricInferableQuantizer s) {
            requireHalfEven(s.rounding(), q, where);
            String op = q instanceof ActivationPOTInferableQuantizer ? "ActivationPOTQuantizer"
                    : "ActivationSymmetricQuantizer";
            return g.node(op, DOMAIN, hint, List.of(x), OnnxAttribute.ofFloat("threshold", s.threshold()),
                    OnnxAttribute.ofInt("signed", s.signed() ? 1 : 0), bits, version);
        }
        if (q instanceof ActivationUniformInferableQuantizer u) {
            requireHalfEven(u.rounding(), q, where);
            return g.node("ActivationUniformQuantizer", DOMAIN, hint, List.of(x),
                    OnnxAttribute.ofFloat("min_range", u.minRange()), OnnxAttribute.ofFloat("max_range", u.maxRange()),
                    bits, version);
        }
        if (q instanceof ActivationLutPOTInferableQuantizer l) {
            return LutActivationNodes.write(g, x, l, hint);
        }
        throw unsupported(q, where);
    }

    /**
     * The custom ops round half to even and have no rounding attribute, so a TF-nudged quantizer written as one would
     * silently change its arithmetic.
     */
    private static void requireHalfEven(RoundingMode rounding, InferableQuantizer q, String where) {
        if (rounding != RoundingMode.HALF_EVEN) {
            throw new OnnxExportException(where + ": " + q.getClass().getSimpleName() + " uses rounding " + rounding
                    + ", but the mct_quantizers ops round ties to even and carry no rounding attribute; only "
                    + "HALF_EVEN quantizers (jqi's default) export");
        }
    }

    private static OnnxExportException unsupported(InferableQuantizer q, String where) {
        return new OnnxExportException(where + ": " + q.getClass().getSimpleName() + " has no mct_quantizers op; "
                + "only jqi's built-in inferable quantizers export");
    }

    private static long[] dims(float[] values) {
        return new long[] {values.length};
    }
}
