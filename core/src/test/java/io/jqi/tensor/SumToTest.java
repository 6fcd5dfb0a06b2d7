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
}
