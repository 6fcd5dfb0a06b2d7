package io.jqi.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.jqi.ptq.OpQuantization;
import io.jqi.ptq.TargetPlatform;
import io.jqi.tensor.Tensor;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every layer type of core is in {@link Layers#BUILT_IN} and has a {@link LayerSamples} sample, and what core decides
 * per layer type holds for each: a copy computes the same and is independent of its original (what PTQ and QAT rely
 * on), and the default target platform makes a deliberate choice by the layer's traits.
 */
class LayerCatalogueTest {

    static Stream<Named<LayerSamples.Sample>> samples() {
        return LayerSamples.all().values().stream().map(s -> Named.of(s.toString(), s));
    }

    @Test
    void everyConcreteModuleOfTheLayerPackageIsInTheCatalogueAndHasASample() {
        Set<String> modules = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.jqi.nn").stream()
                .filter(c -> c.isAssignableTo(Module.class) && !c.getModifiers().contains(JavaModifier.ABSTRACT)
                        && c.getPackageName().equals("io.jqi.nn"))
                .map(JavaClass::getName).collect(Collectors.toCollection(TreeSet::new));
        Set<String> catalogue = Layers.BUILT_IN.stream().map(Class::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(modules, catalogue, "add new layers to Layers.BUILT_IN (docs/architecture.md)");
        Set<String> sampled = LayerSamples.all().keySet().stream().map(Class::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(catalogue, sampled, "give every layer type a sample in LayerSamples");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void aCopyComputesTheSameOutputs(LayerSamples.Sample sample) {
        Module layer = sample.layer().eval();
        Module copy = layer.copy();
        assertNotSame(layer, copy);
        assertEquals(layer.getClass(), copy.getClass());
        Tensor[] inputs = sample.inputs(5);
        assertArrayEquals(layer.forward(inputs).toFloatArray(), copy.forward(inputs).toFloatArray());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void aCopyOwnsItsParametersAndBuffers(LayerSamples.Sample sample) {
        Module layer = sample.layer();
        Module copy = layer.copy();
        Map<String, Tensor> original = layer.stateDict();
        copy.namedParameters().values().forEach(t -> t.assign(Tensor.full(7f, t.shape().toArray())));
        copy.namedBuffers().values().forEach(t -> t.assign(Tensor.full(7f, t.shape().toArray())));
        Map<String, Tensor> after = layer.stateDict();
        assertEquals(original.keySet(), after.keySet());
        original.forEach((name, t) -> assertArrayEquals(t.toFloatArray(), after.get(name).toFloatArray(), name));
        copy.namedParameters().values().forEach(t -> assertTrue(t.requiresGrad() && t.isLeaf()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void theDefaultPlatformDecidesByTheLayersTraits(LayerSamples.Sample sample) {
        Class<? extends Module> type = sample.layer().getClass();
        OpQuantization op = TargetPlatform.defaultPlatform().forOp(Layers.kind(type));
        if (sample.layer() instanceof KernelLayer) {
            assertEquals("weight", op.kernelAttribute());
            assertTrue(op.weights() != null && op.activation() != null);
        } else if (sample.layer() instanceof DataMovement) {
            assertEquals(OpQuantization.preserving(), op);
        } else {
            assertEquals(TargetPlatform.defaultPlatform().defaults(), op);
            assertFalse(op.activation() == null, "every other op quantizes its output");
        }
    }
}
