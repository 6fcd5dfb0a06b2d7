package io.jqi.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jqi.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SequentialTest {

    @Test
    void eachLayerReceivesThePreviousOutput() {
        Module model = new Sequential(new LeakyReLU(0.5f), new Tanh(), new Flatten());
        Tensor x = Tensor.of(new float[] {-2f, 1f, 3f, -4f}, 2, 2);
        assertArrayEquals(x.leakyRelu(0.5f).tanh().toFloatArray(), model.forward(x).toFloatArray());
    }

    @Test
    void theFirstLayerReceivesEveryInput() {
        Module model = new Sequential(new Add(), new ReLU());
        assertArrayEquals(new float[] {0f, 3f},
                model.forward(Tensor.vector(-1f, 1f), Tensor.vector(-1f, 2f)).toFloatArray());
    }

    @Test
    void layersCanBeNamed() {
        Map<String, Module> layers = new LinkedHashMap<>();
        ReLU act = new ReLU();
        layers.put("features", new Identity());
        layers.put("act", act);
        Sequential model = new Sequential(layers);
        assertEquals(List.of("features", "act"), List.copyOf(model.namedChildren().keySet()));
        assertSame(act, model.get(1));
        assertEquals(2, model.size());
    }

    @Test
    void anEmptySequentialIsRejected() {
        assertThrows(IllegalArgumentException.class, Sequential::new);
    }

    @Test
    void anIndexOutsideTheLayersIsAnError() {
        assertThrows(IndexOutOfBoundsException.class, () -> new Sequential(new ReLU()).get(1));
    }
}
