package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The error function jqi computes for ONNX's Erf and GELU, against C's erf (Python's math.erf) and its calculus. */
class ErfTest {

    /** {x, (float) erf(x)} from Python's math.erf (glibc, under an ulp in double) at float32 inputs. */
    private static final float[][] REFERENCE = {
        {0f, 0f}, {9.999999974752427e-07f, 1.1283791536698118e-06f}, {0.10000000149011612f, 0.11246291548013687f},
        {0.5f, 0.5204998850822449f}, {0.7071067690849304f, 0.6826894879341125f}, {1f, 0.8427007794380188f},
        {1.5f, 0.9661051630973816f}, {2f, 0.9953222870826721f}, {2.4999001026153564f, 0.9995928406715393f},
        {2.5f, 0.9995930194854736f}, {3f, 0.9999778866767883f}, {4f, 1f}, {5.900000095367432f, 1f}, {6.5f, 1f},
        {-0.30000001192092896f, -0.3286267817020416f}, {-2.700000047683716f, -0.9998656511306763f},
    };

    @Test
    void matchesCsErfRoundedToFloatOnBothSidesOfTheSeriesAndFractionBoundary() {
        for (float[] r : REFERENCE) {
            assertEquals(r[1], (float) Erf.erf(r[0]), "erf(" + r[0] + ")");
        }
    }

    @Test
    void isOddMonotoneAndKeepsNaNAndInfinities() {
        Random random = new Random(3);
        double previous = -1;
        for (int i = 0; i <= 2000; i++) {
            double x = -8 + i * 0.008;
            double e = Erf.erf(x);
            assertTrue(e >= previous, "monotone at " + x);
            assertEquals(-e, Erf.erf(-x), 0.0, "odd at " + x);
            previous = e;
        }
        for (int i = 0; i < 1000; i++) {
            double x = random.nextGaussian() * 3;
            assertTrue(Math.abs(Erf.erf(x)) <= 1.0);
        }
        assertTrue(Double.isNaN(Erf.erf(Double.NaN)));
        assertEquals(1.0, Erf.erf(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, Erf.erf(Double.NEGATIVE_INFINITY));
    }

    @Test
    void theTensorGradientIsTwoOverRootPiTimesExpOfMinusXSquared() {
        Tensor x = Tensor.vector(-2f, -0.5f, 0f, 0.3f, 1.7f).requiresGrad(true);
        x.erf().sum().backward();
        float[] g = x.grad().toFloatArray();
        float[] v = {-2f, -0.5f, 0f, 0.3f, 1.7f};
        for (int i = 0; i < v.length; i++) {
            double h = 1e-3;
            double numeric = (Erf.erf(v[i] + h) - Erf.erf(v[i] - h)) / (2 * h);
            assertEquals(numeric, g[i], 1e-5, "d erf / dx at " + v[i]);
        }
    }
}
