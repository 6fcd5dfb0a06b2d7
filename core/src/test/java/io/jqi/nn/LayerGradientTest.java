package io.jqi.nn;

import io.jqi.tensor.PublicGradCheck;
import io.jqi.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Layer gradients against finite differences. Parameters are checked by swapping the checker's perturbed copies
 * into the layer with {@link Module#replaceParameter}, so the layer's own forward pass is what gets differentiated.
 */
class LayerGradientTest {

    @Test
    void denseGradientsMatchFiniteDifferences() {
        Random random = new Random(1);
        Dense dense = new Dense(4, 3, true, random);
        PublicGradCheck.check("dense", t -> {
            dense.replaceParameter("weight", t[1]);
            dense.replaceParameter("bias", t[2]);
            return dense.forward(t[0]);
        }, Tensor.randn(random, 5, 4), Tensor.randn(random, 3, 4), Tensor.randn(random, 3));
    }

    @Test
    void denseOnABatchOfSequencesGradientsMatchFiniteDifferences() {
        Random random = new Random(2);
        Dense dense = new Dense(3, 2, false, random);
        PublicGradCheck.check("dense 3-D", t -> {
            dense.replaceParameter("weight", t[1]);
            return dense.forward(t[0]);
        }, Tensor.randn(random, 2, 4, 3), Tensor.randn(random, 2, 3));
    }

    @Test
    void aResidualGraphGradientsMatchFiniteDifferences() {
        Random random = new Random(3);
        Dense dense = new Dense(3, 3, true, random);
        GraphModel block = GraphModel.builder()
                .input("x")
                .node("fc", dense, "x")
                .node("act", new Tanh(), "fc")
                .node("add", new Add(), "act", "x")
                .output("add")
                .build();
        PublicGradCheck.check("residual", t -> {
            dense.replaceParameter("weight", t[1]);
            return block.forward(t[0]);
        }, Tensor.randn(random, 4, 3), Tensor.randn(random, 3, 3));
    }

    @Test
    void convolutionGradientsMatchFiniteDifferences() {
        Random random = new Random(4);
        Conv2D conv = new Conv2D(2, 3, 3, 1, 1, random);
        PublicGradCheck.check("conv", t -> {
            conv.replaceParameter("weight", t[1]);
            conv.replaceParameter("bias", t[2]);
            return conv.forward(t[0]);
        }, Tensor.randn(random, 2, 2, 5, 5), Tensor.randn(random, 3, 2, 3, 3), Tensor.randn(random, 3));
    }

    @Test
    void stridedDilatedGroupedConvolutionGradientsMatchFiniteDifferences() {
        Random random = new Random(5);
        Conv2D conv = new Conv2D(4, 2, new int[] {2, 3}, new int[] {2, 1}, new int[] {1, 2}, new int[] {1, 2}, 2,
                false, random);
        PublicGradCheck.check("grouped conv", t -> {
            conv.replaceParameter("weight", t[1]);
            return conv.forward(t[0]);
        }, Tensor.randn(random, 1, 4, 5, 6), Tensor.randn(random, 2, 2, 2, 3));
    }

    @Test
    void batchNormTrainingGradientsMatchFiniteDifferences() {
        Random random = new Random(6);
        BatchNorm bn = new BatchNorm(3);
        PublicGradCheck.check("batch norm", t -> {
            bn.replaceParameter("weight", t[1]);
            bn.replaceParameter("bias", t[2]);
            return bn.forward(t[0]);
        }, Tensor.randn(random, 4, 3, 2, 2), Tensor.randn(random, 3), Tensor.randn(random, 3));
    }
}
