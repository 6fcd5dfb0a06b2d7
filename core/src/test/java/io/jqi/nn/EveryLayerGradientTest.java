package io.jqi.nn;

import io.jqi.tensor.PublicGradCheck;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every built-in layer type (so every operator the ONNX importer builds) differentiates as its finite differences say:
 * the gradients of its inputs and of its parameters, in evaluation mode, at the sample of {@link LayerSamples}
 * (containers: their inputs).
 */
class EveryLayerGradientTest {
    /** Fake quantization's gradient is the straight-through estimate, not the derivative (quantizer tests check it). */
    private static final Set<Class<?>> NOT_DERIVATIVES = Set.of(QuantizeDequantize.class);

    @TestFactory
    Stream<DynamicTest> everyLayerTypesGradientMatchesFiniteDifferences() {
        List<DynamicTest> tests = new ArrayList<>();
        LayerSamples.all().forEach((type, sample) -> {
            if (NOT_DERIVATIVES.contains(type)) {
                return;
            }
            tests.add(DynamicTest.dynamicTest(sample.toString(), () -> check(sample)));
        });
        return tests.stream();
    }

    private static void check(LayerSamples.Sample sample) {
        Module layer = sample.layer().copy().eval();
        Tensor[] inputs = sample.inputs(5);
        if (layer instanceof Sqrt) {
            inputs[0] = inputs[0].abs().add(0.5f);   // inside sqrt's domain, away from its pole
        }
        int n = inputs.length;
        // A container's parameters belong to its children, which forwardWith cannot reach: its inputs are checked.
        Map<String, Tensor> parameters = layer.namedChildren().isEmpty() ? layer.namedParameters() : Map.of();
        List<String> names = new ArrayList<>(parameters.keySet());
        Tensor[] all = new Tensor[n + names.size()];
        System.arraycopy(inputs, 0, all, 0, n);
        for (int i = 0; i < names.size(); i++) {
            all[n + i] = Tensor.of(parameters.get(names.get(i)).toFloatArray(), parameters.get(names.get(i)).shape());
        }
        PublicGradCheck.check(sample.toString(), t -> {
            Map<String, Tensor> overrides = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                overrides.put(names.get(i), t[n + i]);
            }
            Tensor[] x = new Tensor[n];
            System.arraycopy(t, 0, x, 0, n);
            return layer.forwardWith(overrides, x);
        }, all);
    }
}
