package io.jqi.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Convolution and pooling layers: hand-computed outputs, hyper-parameters and argument errors. */
class ConvAndPoolLayersTest {
    /** A 4x4 plane holding 0..15 row by row. */
    private static final Tensor RAMP = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
            1, 1, 4, 4);

    @Test
    void aConvolutionOfOnesSumsEachWindowPlusTheBias() {
        Conv2D conv = new Conv2D(1, 1, 2, 2, 0, new Random(1));
        conv.replaceParameter("weight", Tensor.ones(1, 1, 2, 2));
        conv.replaceParameter("bias", Tensor.vector(0.5f));
        Tensor y = conv.forward(RAMP);
        assertEquals(Shape.of(1, 1, 2, 2), y.shape());
        assertArrayEquals(new float[] {10.5f, 18.5f, 42.5f, 50.5f}, y.toFloatArray());
    }

    @Test
    void paddingAndDilationShapeTheOutputLikePyTorch() {
        Conv2D conv = new Conv2D(2, 6, new int[] {3, 3}, new int[] {1, 2}, new int[] {2, 1}, new int[] {2, 1}, 2,
                false, new Random(1));
        // H: (4 + 4 - 2 * 2 - 1) / 1 + 1 = 4; W: (4 + 2 - 1 * 2 - 1) / 2 + 1 = 2
        assertEquals(Shape.of(3, 6, 4, 2), conv.forward(Tensor.zeros(3, 2, 4, 4)).shape());
    }

    @Test
    void convolutionExposesItsHyperParametersAndWeightLayout() {
        Conv2D conv = new Conv2D(4, 6, new int[] {3, 1}, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 1}, 2,
                true, new Random(1));
        assertEquals(4, conv.inChannels());
        assertEquals(6, conv.outChannels());
        assertArrayEquals(new int[] {3, 1}, conv.kernel());
        assertArrayEquals(new int[] {2, 1}, conv.stride());
        assertArrayEquals(new int[] {1, 0}, conv.padding());
        assertArrayEquals(new int[] {1, 1}, conv.dilation());
        assertEquals(2, conv.groups());
        assertTrue(conv.hasBias());
        assertEquals(Shape.of(6, 2, 3, 1), conv.weight().shape());
        assertEquals(List.of("weight", "bias"), List.copyOf(conv.namedParameters().keySet()));
    }

    @Test
    void convolutionInitialisationIsBoundedByTheFanIn() {
        Conv2D conv = new Conv2D(8, 4, new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 2,
                true, new Random(1));
        float bound = (float) (1 / Math.sqrt(4 * 3 * 3));
        for (Tensor p : conv.parameters()) {
            for (float v : p.toFloatArray()) {
                assertTrue(Math.abs(v) <= bound, v + " outside ±" + bound);
            }
        }
    }

    @Test
    void groupsMustDivideBothChannelCounts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Conv2D(4, 6,
                new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 4, true, new Random(1)));
        assertTrue(e.getMessage().contains("groups 4 must divide"), e.getMessage());
    }

    @Test
    void aPairArgumentNeedsTwoValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Conv2D(1, 1,
                new int[] {3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1, true, new Random(1)));
        assertTrue(e.getMessage().contains("kernel must be an int[] of 2 values"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MaxPool2D(new int[] {2, 2}, new int[] {0, 1},
                new int[] {0, 0}));
    }

    @Test
    void maxPoolingTakesEachWindowsMaximum() {
        MaxPool2D pool = new MaxPool2D(2);
        assertArrayEquals(new int[] {2, 2}, pool.stride());
        assertArrayEquals(new float[] {5, 7, 13, 15}, pool.forward(RAMP).toFloatArray());
    }

    @Test
    void averagePoolingLeavesPaddingOutOfTheCount() {
        AvgPool2D pool = new AvgPool2D(new int[] {2, 2}, new int[] {2, 2}, new int[] {1, 1});
        // Windows at the corner hold one real cell, e.g. the top-left only 0.
        Tensor y = pool.forward(RAMP);
        assertEquals(Shape.of(1, 1, 3, 3), y.shape());
        assertArrayEquals(new float[] {0, 1.5f, 3, 6, 7.5f, 9, 12, 13.5f, 15}, y.toFloatArray());
        assertArrayEquals(new int[] {1, 1}, pool.padding());
    }

    @Test
    void globalAveragePoolingAveragesEachPlane() {
        Tensor x = Tensor.concat(1, RAMP, RAMP.mul(2f));
        Tensor y = new GlobalAvgPool2D().forward(x);
        assertEquals(Shape.of(1, 2, 1, 1), y.shape());
        assertArrayEquals(new float[] {7.5f, 15f}, y.toFloatArray());
    }
}
