package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Wrong arguments fail up front, with a message that names the operation and says what to change. */
class FunctionalArgumentsTest {
    private static final int[] ONE = {1, 1};
    private static final int[] ZERO = {0, 0};
    private static final int[] THREE = {3, 3};

    private static void assertMessage(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message \"" + e.getMessage() + "\" lacks \"" + f + "\"");
        }
    }

    private static Tensor nchw(int... shape) {
        return Tensor.zeros(shape);
    }

    @Test
    void conv2dNamesMismatchedChannelsAndGroups() {
        assertMessage(() -> Functional.conv2d(nchw(1, 3, 5, 5), nchw(2, 4, 3, 3), null, ONE, ZERO, ONE, 1),
                "conv2d: input has 3 channels but weight [2, 4, 3, 3] expects 4 (= in/groups", "must be 3");
        assertMessage(() -> Functional.conv2d(nchw(1, 4, 5, 5), nchw(2, 1, 3, 3), null, ONE, ZERO, ONE, 3),
                "conv2d: groups 3 does not divide the input's 4 channels");
        assertMessage(() -> Functional.conv2d(nchw(1, 4, 5, 5), nchw(3, 2, 3, 3), null, ONE, ZERO, ONE, 2),
                "conv2d: groups 2 does not divide the weight's 3 output channels");
        assertMessage(() -> Functional.conv2d(nchw(1, 4, 5, 5), nchw(4, 4, 3, 3), null, ONE, ZERO, ONE, 0),
                "conv2d: groups must be at least 1");
    }

    @Test
    void conv2dNamesWrongRanksAndBias() {
        assertMessage(() -> Functional.conv2d(nchw(3, 5, 5), nchw(2, 3, 3, 3), null, ONE, ZERO, ONE, 1),
                "conv2d: expected an input [N, C, H, W] of rank 4 but got shape [3, 5, 5]", "reshape(1, C, H, W)");
        assertMessage(() -> Functional.conv2d(nchw(1, 3, 5, 5), nchw(2, 3, 3), null, ONE, ZERO, ONE, 1),
                "conv2d: expected a weight [out, in/groups, kh, kw] of rank 4");
        assertMessage(() -> Functional.conv2d(nchw(1, 3, 5, 5), nchw(2, 3, 3, 3), Tensor.zeros(3), ONE, ZERO, ONE, 1),
                "conv2d: bias must have shape [2]", "[3]");
    }

    @Test
    void conv2dNamesWindowsThatDoNotFit() {
        assertMessage(() -> Functional.conv2d(nchw(1, 1, 2, 2), nchw(1, 1, 3, 3), null, ONE, ZERO, ONE, 1),
                "conv2d: the kernel height 3 spans 3 rows, more than the padded input height 2", "output height");
        assertMessage(() -> Functional.conv2d(nchw(1, 1, 4, 4), nchw(1, 1, 3, 3), null, ONE, ZERO, new int[] {2, 2}, 1),
                "kernel height 3 with dilation 2 spans 5 rows", "or dilation");
        assertMessage(() -> Functional.conv2d(nchw(1, 1, 5, 2), nchw(1, 1, 1, 3), null, ONE, ZERO, ONE, 1),
                "kernel width 3 spans 3 columns, more than the padded input width 2");
        assertMessage(() -> Functional.conv2d(nchw(1, 1, 5, 5), nchw(1, 1, 3, 3), null, new int[] {0, 1}, ZERO, ONE,
                1), "conv2d: stride [0, 1] must be at least 1");
        assertMessage(() -> Functional.conv2d(nchw(1, 1, 5, 5), nchw(1, 1, 3, 3), null, ONE, new int[] {-1, 0}, ONE,
                1), "conv2d: padding [-1, 0] must be at least 0");
        assertMessage(() -> Functional.conv2d(nchw(1, 1, 5, 5), nchw(1, 1, 3, 3), null, new int[] {1}, ZERO, ONE, 1),
                "conv2d: stride must be an int[] of 2 values {h, w} but is [1]");
        assertMessage(() -> Functional.conv2d(nchw(1, 1, 5, 5), nchw(1, 1, 3, 3), null, ONE, ZERO, null, 1),
                "conv2d: dilation must be an int[] of 2 values");
    }

    @Test
    void poolsNameBadWindows() {
        assertMessage(() -> Functional.maxPool2d(nchw(1, 1, 4, 4), THREE, ONE, THREE),
                "maxPool2d: padding [3, 3] must be smaller than the kernel [3, 3]");
        assertMessage(() -> Functional.avgPool2d(nchw(1, 1, 4, 4), new int[] {2, 2}, ONE, new int[] {0, 2}),
                "avgPool2d: padding [0, 2] must be smaller than the kernel [2, 2]");
        assertMessage(() -> Functional.maxPool2d(nchw(1, 1, 2, 5), THREE, ONE, ZERO),
                "maxPool2d: the kernel height 3 spans 3 rows, more than the padded input height 2");
        assertMessage(() -> Functional.avgPool2d(nchw(1, 1, 4, 4), new int[] {0, 2}, ONE, ZERO),
                "avgPool2d: kernel [0, 2] must be at least 1");
        assertMessage(() -> Functional.maxPool2d(nchw(4, 4), THREE, ONE, ZERO),
                "maxPool2d: expected an input [N, C, H, W]");
        assertMessage(() -> Functional.globalAvgPool2d(nchw(2, 3)), "globalAvgPool2d: expected an input [N, C, H, W]");
        assertMessage(() -> Functional.globalAvgPool2d(nchw(2, 3, 0, 4)), "globalAvgPool2d", "empty planes");
    }

    @Test
    void batchNormNamesItsArguments() {
        Tensor c3 = Tensor.zeros(3);
        Tensor x = Tensor.randn(new Random(1), 4, 3);
        assertMessage(() -> Functional.batchNorm(nchw(2, 3, 4), c3, c3, null, null, true, 0.1f, 1e-5f),
                "batchNorm: expected an input [N, C] or [N, C, H, W]");
        assertMessage(() -> Functional.batchNorm(x, Tensor.zeros(4), c3, null, null, true, 0.1f, 1e-5f),
                "batchNorm: runningMean must have shape [3]", "but has shape [4]");
        assertMessage(() -> Functional.batchNorm(x, null, null, Tensor.ones(1, 3), null, true, 0.1f, 1e-5f),
                "batchNorm: weight must have shape [3]");
        assertMessage(() -> Functional.batchNorm(x, c3, null, null, null, true, 0.1f, 1e-5f),
                "batchNorm: pass both runningMean and runningVar, or neither");
        assertMessage(() -> Functional.batchNorm(x, null, null, null, null, true, 1.5f, 1e-5f),
                "batchNorm: momentum must be in [0, 1]");
        assertMessage(() -> Functional.batchNorm(x, null, null, null, null, true, 0.1f, -1f),
                "batchNorm: eps must be a finite value >= 0");
        assertMessage(() -> Functional.batchNorm(nchw(1, 3), Tensor.zeros(3), Tensor.ones(3), null, null, true, 0.1f,
                1e-5f), "batchNorm: batch statistics need more than one value per channel", "eval mode");
    }

    @Test
    void dropoutNamesItsArguments() {
        Tensor x = Tensor.ones(4);
        assertMessage(() -> Functional.dropout(x, 1f, true, new Random(1)), "dropout: p must be in [0, 1)",
                "drop every value");
        assertMessage(() -> Functional.dropout(x, -0.1f, false, null), "dropout: p must be in [0, 1) but is -0.1");
        assertMessage(() -> Functional.dropout(x, Float.NaN, true, new Random(1)), "but is NaN");
        assertMessage(() -> Functional.dropout(x, 0.5f, true, null), "dropout: training with p > 0 needs a Random");
    }

    @Test
    void linearNamesItsArguments() {
        assertMessage(() -> Functional.linear(Tensor.zeros(2, 3), Tensor.zeros(4, 5), null),
                "linear: input [2, 3] must end in the weight's 5 input features");
        assertMessage(() -> Functional.linear(Tensor.zeros(2, 3), Tensor.zeros(3), null),
                "linear: expected a weight [out, in] of rank 2");
        assertMessage(() -> Functional.linear(Tensor.zeros(2, 3), Tensor.zeros(4, 3), Tensor.zeros(3)),
                "linear: bias must have shape [4]");
        assertMessage(() -> Functional.linear(Tensor.scalar(1f), Tensor.zeros(4, 1), null),
                "linear: input [] must end in the weight's 1 input features");
    }
}
