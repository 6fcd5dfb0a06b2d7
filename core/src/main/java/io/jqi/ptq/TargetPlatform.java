package io.jqi.ptq;

import io.jqi.nn.Add;
import io.jqi.nn.DataMovement;
import io.jqi.nn.ElementwiseActivation;
import io.jqi.nn.KernelLayer;
import io.jqi.nn.Layers;
import io.jqi.nn.Module;
import io.jqi.quant.QuantizationMethod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the deployment hardware quantizes, per kind of op (the reference's target-platform capabilities,
 * docs/quantizer-contract.md#default-target-platform). An op kind is a layer's {@link Layers#kind}, its class's simple
 * name ({@code "Conv2D"}, {@code "Dense"}, {@code "ReLU"}, ...; a user's own module is known by its class's simple name
 * too), plus {@link #INPUT} for the model's inputs; kinds without an entry get {@code defaults}.
 *
 * <p>{@code fusing} lists pairs {@code [producer, consumer]} that the hardware runs as one op: when a producer's only
 * consumer is such a consumer (a convolution followed by its ReLU), the producer's output is not quantized, only
 * the consumer's.
 */
public record TargetPlatform(String name, OpQuantization defaults, Map<String, OpQuantization> ops,
        List<List<String>> fusing) {
    /** The op kind of a model input. */
    public static final String INPUT = "Input";

    public TargetPlatform {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("A target platform needs a name");
        }
        if (defaults == null) {
            throw new IllegalArgumentException("Target platform '" + name + "' needs a default op quantization");
        }
        // Kept in the given order, so that files written from a platform list its ops as the user did.
        ops = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(ops == null ? Map.of() : ops));
        if (ops.containsKey(null) || ops.containsValue(null)) {
            throw new IllegalArgumentException("Target platform '" + name + "' maps a null op kind or to a null op "
                    + "quantization");
        }
        List<List<String>> pairs = new ArrayList<>();
        for (List<String> pair : fusing == null ? List.<List<String>>of() : fusing) {
            if (pair == null || pair.size() != 2 || pair.stream().anyMatch(java.util.Objects::isNull)) {
                throw new IllegalArgumentException("Target platform '" + name + "': a fusing pattern is a pair "
                        + "[producer, consumer] of op kinds, got " + pair);
            }
            pairs.add(List.copyOf(pair));
        }
        fusing = List.copyOf(pairs);
    }

    /** What the platform does with op kind {@code kind}. */
    public OpQuantization forOp(String kind) {
        return ops.getOrDefault(kind, defaults);
    }

    /** Whether {@code producer} followed by {@code consumer} runs as one op. */
    public boolean fuses(String producer, String consumer) {
        return fusing.contains(List.of(producer, consumer));
    }

    /**
     * The reference's default (IMX500 v1, docs/quantizer-contract.md#default-target-platform), read off the layer
     * types' traits: {@link KernelLayer}s quantize their kernels SYMMETRIC 8-bit per output channel, with 8, 4 and 2
     * bits as mixed-precision candidates (biases stay float), activations are POWER_OF_TWO 8-bit with automatic
     * signedness and 8, 4 and 2 bits as candidates, {@link DataMovement} layers preserve their input's grid, and
     * kernel layers and {@link Add} run fused with a following {@link ElementwiseActivation}.
     * Every other op (Sub, Mul, Div, MatMul, AddConstant, ...) quantizes its output.
     */
    public static TargetPlatform defaultPlatform() {
        ActivationQuantization activation = ActivationQuantization.of(QuantizationMethod.POWER_OF_TWO, 8)
                .withCandidateBits(List.of(8, 4, 2));
        OpQuantization kernel = OpQuantization.kernel(WeightQuantization.perChannel(QuantizationMethod.SYMMETRIC, 8)
                .withCandidateBits(List.of(8, 4, 2)), activation);
        Map<String, OpQuantization> ops = new LinkedHashMap<>();
        Layers.with(KernelLayer.class).forEach(layer -> ops.put(Layers.kind(layer), kernel));
        Layers.with(DataMovement.class).forEach(layer -> ops.put(Layers.kind(layer), OpQuantization.preserving()));
        List<Class<? extends Module>> producers = new ArrayList<>(Layers.with(KernelLayer.class));
        producers.add(Add.class);
        List<List<String>> fusing = new ArrayList<>();
        for (Class<? extends Module> producer : producers) {
            for (Class<? extends Module> consumer : Layers.with(ElementwiseActivation.class)) {
                fusing.add(List.of(Layers.kind(producer), Layers.kind(consumer)));
            }
        }
        return new TargetPlatform("jqi-default", OpQuantization.activationOnly(activation), ops, fusing);
    }

    /** This platform with op kind {@code kind} mapped to {@code op}. */
    public TargetPlatform withOp(String kind, OpQuantization op) {
        Map<String, OpQuantization> newOps = new LinkedHashMap<>(ops);
        newOps.put(kind, op);
        return new TargetPlatform(name, defaults, newOps, fusing);
    }
}
