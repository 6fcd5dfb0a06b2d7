package io.jqi.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.nn.Module;
import io.jqi.ptq.PtqConfig;
import io.jqi.ptq.Ptq;
import io.jqi.ptq.TargetPlatform;
import io.jqi.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BuiltInModelsTest {

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn", "cnn-silu", "resnet"})
    void everyModelMapsImagesOfAnySizeToOneLogitPerClass(String name) {
        for (int[] shape : new int[][] {{1, 8, 8}, {1, 28, 28}, {3, 9, 7}}) {
            Module model = BuiltInModels.create(name, shape, 10, 1);
            Tensor x = Tensor.randn(new Random(2), 4, shape[0], shape[1], shape[2]);
            assertArrayEquals(new int[] {4, 10}, model.forward(x).shape().toArray(), name + " on " + shape[1]);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn", "cnn-silu", "resnet"})
    void theSameSeedGivesTheSameWeights(String name) {
        var a = BuiltInModels.create(name, new int[] {1, 8, 8}, 10, 5).stateDict();
        var b = BuiltInModels.create(name, new int[] {1, 8, 8}, 10, 5).stateDict();
        a.forEach((k, t) -> assertArrayEquals(t.toFloatArray(), b.get(k).toFloatArray(), k));
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn", "cnn-silu", "resnet"})
    void everyModelGoesThroughPostTrainingQuantization(String name) {
        Module model = BuiltInModels.create(name, new int[] {1, 8, 8}, 10, 1);
        var q = Ptq.quantize(model, List.of(Tensor.randn(new Random(3), 8, 1, 8, 8)),
                TargetPlatform.defaultPlatform(), PtqConfig.defaults());
        assertEquals(10, q.forward(Tensor.randn(new Random(4), 2, 1, 8, 8)).shape().dim(1));
    }

    @org.junit.jupiter.api.Test
    void anUnknownNameListsTheBuiltInOnes() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> BuiltInModels.create("vgg", new int[] {1, 8, 8}, 10, 1));
        assertTrue(e.getMessage().contains("[mlp, cnn, cnn-silu, resnet]"), e.getMessage());
    }
}
