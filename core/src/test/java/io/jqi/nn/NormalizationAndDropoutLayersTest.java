package io.jqi.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** BatchNorm and Dropout: the layers whose behaviour depends on train/eval mode. */
class NormalizationAndDropoutLayersTest {
    /** Two channels over a batch of four: channel 0 is 1, 2, 3, 6 (mean 3), channel 1 is constant 5. */
    private static final Tensor X = Tensor.of(new float[] {1, 5, 2, 5, 3, 5, 6, 5}, 4, 2);

    @Test
    void trainingNormalizesWithTheBatchStatistics() {
        float[] y = new BatchNorm(2).forward(X).toFloatArray();
        // channel 0: biased variance (4 + 1 + 0 + 9) / 4 = 3.5
        float inv = (float) (1 / Math.sqrt(3.5 + 1e-5));
        assertArrayEquals(new float[] {-2 * inv, 0, -1 * inv, 0, 0, 0, 3 * inv, 0}, y, 1e-6f);
    }

    @Test
    void trainingMovesTheRunningStatisticsByTheMomentum() {
        BatchNorm bn = new BatchNorm(2);
        bn.forward(X);
        // running = 0.9 * initial + 0.1 * batch, with the unbiased variance 14 / 3 for channel 0
        assertArrayEquals(new float[] {0.3f, 0.5f}, bn.runningMean().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0.9f + 0.1f * 14 / 3f, 0.9f}, bn.runningVar().toFloatArray(), 1e-6f);
    }

    @Test
    void evalNormalizesWithTheRunningStatisticsAndLeavesThemAlone() {
        BatchNorm bn = new BatchNorm(2);
        bn.runningMean().assign(Tensor.vector(1f, 5f));
        bn.runningVar().assign(Tensor.vector(4f, 1f));
        bn.eval();
        float[] y = bn.forward(X).toFloatArray();
        assertEquals((6 - 1) / (float) Math.sqrt(4 + 1e-5), y[6], 1e-6f);
        assertArrayEquals(new float[] {1f, 5f}, bn.runningMean().toFloatArray());
    }

    @Test
    void batchNormOnImagesNormalizesEachChannelOverBatchAndPlane() {
        Tensor x = Tensor.randn(new Random(1), 3, 2, 4, 4).mul(3f).add(2f);
        float[] y = new BatchNorm(2).forward(x).toFloatArray();
        for (int c = 0; c < 2; c++) {
            double sum = 0;
            for (int n = 0; n < 3; n++) {
                for (int i = 0; i < 16; i++) {
                    sum += y[(n * 2 + c) * 16 + i];
                }
            }
            assertEquals(0, sum / 48, 1e-5);
        }
    }

    @Test
    void batchNormStateFollowsPyTorchsKeys() {
        assertEquals(List.of("weight", "bias", "running_mean", "running_var"),
                List.copyOf(new BatchNorm(3).stateDict().keySet()));
        assertEquals(List.of("weight", "bias"), List.copyOf(new BatchNorm(3).namedParameters().keySet()));
    }

    @Test
    void batchNormNamesTheChannelsItExpects() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BatchNorm(3).forward(Tensor.zeros(2, 4, 5, 5)));
        assertTrue(e.getMessage().contains("[N, 3, H, W]"), e.getMessage());
    }

    @Test
    void batchNormExposesItsHyperParameters() {
        BatchNorm bn = new BatchNorm(3, 0.2f, 1e-3f);
        assertEquals(3, bn.numFeatures());
        assertEquals(0.2f, bn.momentum());
        assertEquals(1e-3f, bn.eps());
    }

    @Test
    void dropoutInEvalModeIsTheIdentity() {
        Dropout dropout = new Dropout(0.5f, new Random(1));
        dropout.eval();
        Tensor x = Tensor.ones(100);
        assertSame(x, dropout.forward(x));
    }

    @Test
    void dropoutInTrainingZeroesSomeAndScalesTheRest() {
        float[] y = new Dropout(0.25f, new Random(1)).forward(Tensor.ones(1000)).toFloatArray();
        int zeros = 0;
        for (float v : y) {
            assertTrue(v == 0f || v == 1f / 0.75f, "value " + v);
            zeros += v == 0f ? 1 : 0;
        }
        assertTrue(zeros > 200 && zeros < 300, zeros + " zeros of 1000");
    }

    @Test
    void dropoutMasksAreReproducibleFromTheSeedAndChangeBetweenCalls() {
        Dropout a = new Dropout(0.5f, new Random(7));
        Dropout b = new Dropout(0.5f, new Random(7));
        float[] first = a.forward(Tensor.ones(64)).toFloatArray();
        assertArrayEquals(first, b.forward(Tensor.ones(64)).toFloatArray());
        assertFalse(Arrays.equals(first, a.forward(Tensor.ones(64)).toFloatArray()));
    }

    @Test
    void dropoutRejectsProbabilitiesOutsideZeroToOne() {
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1f, new Random(1)));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1f, new Random(1)));
    }

    @Test
    void evalOnAContainerReachesItsBatchNormAndDropout() {
        BatchNorm bn = new BatchNorm(2);
        Module model = new Sequential(bn, new Dropout(0.9f, new Random(1)));
        model.eval();
        assertArrayEquals(X.toFloatArray(), model.forward(X).toFloatArray(), 1e-4f);
        assertArrayEquals(new float[] {0f, 0f}, bn.runningMean().toFloatArray());
    }
}
