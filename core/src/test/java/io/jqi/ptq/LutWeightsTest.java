package io.jqi.ptq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.nn.Dense;
import io.jqi.nn.GraphModel;
import io.jqi.quant.FakeQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.inferable.WeightsLUTPOTInferableQuantizer;
import io.jqi.quant.inferable.WeightsLUTSymmetricInferableQuantizer;
import io.jqi.quant.wrap.QuantizationWrapper;
import io.jqi.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Post-training LUT weights: k-means levels on the 8-bit scale, no-clipping thresholds, and PTQ building them. */
class LutWeightsTest {
    private static final float MIN_THRESHOLD = PtqConfig.defaults().minThreshold();

    /** Weights [4, 64] drawn from two bumps at +-0.5 (the shape 2-bit uniform grids fit badly), a few exact zeros. */
    private static Tensor bimodal(long seed) {
        Random random = new Random(seed);
        float[] w = new float[256];
        for (int i = 0; i < w.length; i++) {
            w[i] = (i % 2 == 0 ? 0.5f : -0.5f) + (float) random.nextGaussian() * 0.05f;
        }
        w[10] = 0f;
        w[77] = 0f;
        return Tensor.of(w, 4, 64);
    }

    private static LutWeights.Selection select(Tensor w, QuantizationMethod method, int bits, boolean perChannel) {
        return LutWeights.select(w, method, bits, perChannel, 0, MIN_THRESHOLD, 8, 1e-8f, LutWeights.DEFAULT_SEED);
    }

    @Test
    void levelsAreAtMostTwoToTheBitsAscendingIntegersOfEightBitsWithZeroAmongThem() {
        for (int bits = 1; bits <= 4; bits++) {
            float[] levels = select(bimodal(1), QuantizationMethod.LUT_SYMMETRIC, bits, true).levels();
            assertTrue(levels.length <= 1 << bits, bits + " bits: " + Arrays.toString(levels));
            assertTrue(Arrays.binarySearch(levels, 0f) >= 0, "0 is a level: " + Arrays.toString(levels));
            for (int j = 0; j < levels.length; j++) {
                assertEquals(Math.rint(levels[j]), levels[j], 0.0);
                assertTrue(levels[j] >= -128 && levels[j] <= 127);
                assertTrue(j == 0 || levels[j] > levels[j - 1]);
            }
        }
    }

    @Test
    void thresholdsAreTheNoClippingThresholdsOfTheUnderlyingGrid() {
        Tensor w = bimodal(2);
        assertArrayEquals(WeightThresholds.threshold(w, QuantizationMethod.POWER_OF_TWO, ErrorMethod.NOCLIPPING, 3,
                true, 0, 2, MIN_THRESHOLD), select(w, QuantizationMethod.LUT_POT, 3, true).thresholds());
        assertArrayEquals(WeightThresholds.threshold(w, QuantizationMethod.SYMMETRIC, ErrorMethod.NOCLIPPING, 3,
                false, 0, 2, MIN_THRESHOLD), select(w, QuantizationMethod.LUT_SYMMETRIC, 3, false).thresholds());
    }

    @Test
    void levelsFollowTheDataWhereAUniformGridCannot() {
        Tensor w = bimodal(3);
        LutWeights.Selection lut = select(w, QuantizationMethod.LUT_SYMMETRIC, 2, false);
        FakeQuantizer lutQuantizer = new WeightsLUTSymmetricInferableQuantizer(2, lut.levels(), lut.thresholds(),
                false, null, null, 8, 1e-8f);
        float[] t = WeightThresholds.threshold(w, QuantizationMethod.SYMMETRIC, ErrorMethod.NOCLIPPING, 2, false, 0,
                2, MIN_THRESHOLD);
        FakeQuantizer uniform = new io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer(2, t, false, null, null,
                io.jqi.grid.RoundingMode.HALF_EVEN);

        double lutError = squaredError(w, lutQuantizer.apply(w, false));
        double uniformError = squaredError(w, uniform.apply(w, false));

        assertTrue(lutError < uniformError / 4, "LUT " + lutError + " against uniform " + uniformError);
    }

    @Test
    void theSameWeightsAndSeedGiveTheSameLut() {
        LutWeights.Selection a = select(bimodal(4), QuantizationMethod.LUT_POT, 3, true);
        LutWeights.Selection b = select(bimodal(4), QuantizationMethod.LUT_POT, 3, true);
        assertArrayEquals(a.levels(), b.levels());
        assertArrayEquals(a.thresholds(), b.thresholds());
    }

    @Test
    void aLutAsWideAsItsLevelsIsRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> select(bimodal(5), QuantizationMethod.LUT_POT, 8, true));
        assertTrue(e.getMessage().contains("lut_values_bitwidth is 8"), e.getMessage());
    }

    @Test
    void ptqBuildsLutQuantizersThatKeepZeroWeightsZero() {
        Random random = new Random(6);
        Dense dense = new Dense(64, 4, true, random);
        dense.replaceParameter("weight", bimodal(6));
        TargetPlatform lutWeights = TargetPlatform.defaultPlatform().withOp("Dense", OpQuantization.kernel(
                WeightQuantization.perChannel(QuantizationMethod.LUT_POT, 3), null));

        GraphModel q = Ptq.quantize(dense, List.of(Tensor.randn(random, 8, 64)), lutWeights, PtqConfig.defaults());

        QuantizationWrapper wrapper = (QuantizationWrapper) q.node("dense");
        var quantizer = assertInstanceOf(WeightsLUTPOTInferableQuantizer.class,
                wrapper.weightQuantizers().get("weight"));
        assertEquals(2, quantizer.inputRank().getAsInt());
        float[] quantized = wrapper.quantizedWeights().get("weight").toFloatArray();
        assertEquals(0f, quantized[10]);
        assertEquals(0f, quantized[77]);
        assertTrue(Arrays.stream(toDoubles(quantized)).distinct().count() <= 4 * 8, "at most 8 values per channel");
    }

    private static double squaredError(Tensor a, Tensor b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += (x[i] - y[i]) * (double) (x[i] - y[i]);
        }
        return sum;
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
