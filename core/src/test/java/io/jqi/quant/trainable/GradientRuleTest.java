package io.jqi.quant.trainable;

import static io.jqi.quant.QuantizationMethod.SYMMETRIC;
import static io.jqi.quant.QuantizationMethod.UNIFORM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.quant.QuantizerSpec;
import io.jqi.tensor.Shape;
import org.junit.jupiter.api.Test;

/** The built-in quantizers' gradient rules, and LSQ's gradient scale g, which is computed here and nowhere else. */
class GradientRuleTest {

    private static float g(double qp, long count) {
        return (float) (1.0 / Math.sqrt(qp * count));
    }

    @Test
    void steRulesClipOnlyWhenAskedAndNeverScale() {
        GradientRule identity = GradientRule.ste(SteInputGradient.IDENTITY);
        GradientRule clipped = GradientRule.ste(SteInputGradient.CLIPPED);
        assertFalse(identity.clippedInput());
        assertTrue(clipped.clippedInput());
        assertNull(identity.lsq());
        assertEquals(1f, clipped.stepScale(QuantizerSpec.weights(SYMMETRIC, 4, 0), Shape.of(8, 3), 8));
    }

    @Test
    void lsqRulesAlwaysClipAndNeedAMode() {
        assertTrue(GradientRule.lsq(LsqGradientScale.MCT).clippedInput());
        assertThrows(IllegalArgumentException.class, () -> GradientRule.lsq(null));
    }

    @Test
    void lsqWeightsCountTheirThresholdsUnderMctAndTheirElementsUnderThePaper() {
        QuantizerSpec spec = QuantizerSpec.weights(SYMMETRIC, 4, 0);
        Shape kernel = Shape.of(8, 3, 3, 3);
        assertEquals(g(7, 8), GradientRule.lsq(LsqGradientScale.MCT).stepScale(spec, kernel, 8));
        assertEquals(g(7, 216), GradientRule.lsq(LsqGradientScale.PAPER).stepScale(spec, kernel, 8));
    }

    @Test
    void lsqActivationsCountTheChannelsOfAxisOneUnderMctAndOneSamplesFeaturesUnderThePaper() {
        QuantizerSpec unsigned = QuantizerSpec.activations(SYMMETRIC, 4, false);
        Shape nchw = Shape.of(2, 6, 5, 5);
        assertEquals(g(15, 6), GradientRule.lsq(LsqGradientScale.MCT).stepScale(unsigned, nchw, 1));
        assertEquals(g(15, 150), GradientRule.lsq(LsqGradientScale.PAPER).stepScale(unsigned, nchw, 1));
        assertEquals(g(15, 1), GradientRule.lsq(LsqGradientScale.MCT).stepScale(unsigned, Shape.of(7), 1));
    }

    @Test
    void lsqUniformGridsUseTheirLargestIntegerAsQp() {
        QuantizerSpec spec = QuantizerSpec.weights(UNIFORM, 4, 0);
        assertEquals(g(15, 5), GradientRule.lsq(LsqGradientScale.MCT).stepScale(spec, Shape.of(5, 2), 5));
    }
}
