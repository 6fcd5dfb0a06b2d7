package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Backend#sumTo} adds each output element's inputs one at a time in storage order, in double, and rounds once,
 * whether the runs are short (one thread) or long enough to spread the output elements over the threads.
 */
class SumToTest {
    @Test
    void eachChannelSumsInStorageOrderWhateverTheRunLength() {
        Random random = new Random(3);
        for (int plane : new int[] {7, 196, 4096}) {
            int batch = 5;
            int channels = 9;
            float[] x = new float[batch * channels * plane];
            for (int i = 0; i < x.length; i++) {
                // Values of mixed magnitudes, so that another order of the additions would round differently.
                x[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
            }
            Shape in = Shape.of(batch, channels, plane);
            Shape out = Shape.of(1, channels, 1);
            float[] sums = CpuBackend.INSTANCE.sumTo(CpuBackend.INSTANCE.fromHost(x), in, out).toHostArray();
            for (int c = 0; c < channels; c++) {
                double expected = 0;
                for (int n = 0; n < batch; n++) {
                    for (int p = 0; p < plane; p++) {
                        expected += x[(n * channels + c) * plane + p];
                    }
                }
                assertEquals(Float.floatToRawIntBits((float) expected), Float.floatToRawIntBits(sums[c]),
                        "channel " + c + " of planes of " + plane);
            }
        }
    }

    @Test
    void anElementsRunsAddInOrderWhenOtherElementsRunsComeBetween() {
        // Each image's plane of every channel adds into that image's element: the runs go to elements 0, 1, 2, then
        // 0 again, so runs added side by side must never hold two of one element.
        Random random = new Random(5);
        int channels = 4;
        int batch = 3;
        int plane = 96;
        float[] x = new float[channels * batch * plane];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
        }
        float[] sums = CpuBackend.INSTANCE.sumTo(CpuBackend.INSTANCE.fromHost(x), Shape.of(channels, batch, plane),
                Shape.of(1, batch, 1)).toHostArray();
        for (int n = 0; n < batch; n++) {
            double expected = 0;
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < plane; p++) {
                    expected += x[(c * batch + n) * plane + p];
                }
            }
            assertEquals(Float.floatToRawIntBits((float) expected), Float.floatToRawIntBits(sums[n]), "image " + n);
        }
    }
}
