package io.jqi.quant.trainable;

import io.jqi.quant.FakeQuantizer;
import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerHost;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A quantizer with learnable parameters, for quantization-aware training
 * (docs/quantizer-contract.md#trainable-base-class). Subclasses carry {@link MarkQuantizer} with a training-method
 * identifier, create their variables in {@link #initializeQuantization} on the layer that hosts them, fake-quantize
 * in {@link #forward} with straight-through gradients, and hand over their learned parameters in
 * {@link #convertToInferable}.
 */
public abstract class TrainableQuantizer implements FakeQuantizer {
    private final TrainableQuantizerConfig config;
    private final boolean freezeQuantParams;
    private final Map<String, Tensor> variables = new LinkedHashMap<>();

    /**
     * Checks, in the reference's order, that the class is annotated and that the config's target and method are the
     * class's.
     */
    protected TrainableQuantizer(TrainableQuantizerConfig config, boolean freezeQuantParams) {
        MarkQuantizer mark = getClass().getDeclaredAnnotation(MarkQuantizer.class);
        if (mark == null) {
            throw new IllegalArgumentException("Quantizer class inheriting from 'TrainableQuantizer' is improperly "
                    + "defined. Ensure it includes the '@MarkQuantizer' annotation and is correctly applied: "
                    + getClass().getName());
        }
        if (config == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " needs a quantization config");
        }
        if (mark.target() != config.target()) {
            throw new IllegalArgumentException(mark.target() == QuantizationTarget.WEIGHTS
                    ? "Expected weight quantization configuration; received activation quantization instead."
                    : "Expected activation quantization configuration; received weight quantization instead.");
        }
        if (!Arrays.asList(mark.methods()).contains(config.method())) {
            throw new IllegalArgumentException("Quantization method mismatch. Expected methods: "
                    + Arrays.toString(mark.methods()) + ", received: " + config.method() + ".");
        }
        this.config = config;
        this.freezeQuantParams = freezeQuantParams;
    }

    /** Creates this quantizer's variables for a tensor of {@code shape}, registered on {@code host}. */
    @Override
    public abstract void initializeQuantization(Shape shape, String name, QuantizerHost host);

    /** The fake-quantized input, differentiable with straight-through gradients. */
    public abstract Tensor forward(Tensor x, boolean training);

    /** {@link #forward}. */
    @Override
    public final Tensor apply(Tensor x, boolean training) {
        return forward(x, training);
    }

    /** The inferable quantizer with this quantizer's current parameters. */
    public abstract InferableQuantizer convertToInferable();

    public TrainableQuantizerConfig config() {
        return config;
    }

    @Override
    public final QuantizationTarget target() {
        return config.target();
    }

    public final boolean isWeightsQuantizer() {
        return config.target() == QuantizationTarget.WEIGHTS;
    }

    public final boolean isActivationQuantizer() {
        return config.target() == QuantizationTarget.ACTIVATION;
    }

    public final boolean freezeQuantParams() {
        return freezeQuantParams;
    }

    /** Records a variable and registers it on {@code host}. */
    protected final void addQuantizerVariable(QuantizerHost host, String name, Tensor variable) {
        if (variables.containsKey(name)) {
            throw new IllegalStateException(getClass().getSimpleName() + " already has a variable named '" + name
                    + "': initializeQuantization was called twice");
        }
        variables.put(name, variable);
        host.registerQuantizerVariable(name, variable);
    }

    /** A variable created by {@link #initializeQuantization}. */
    public final Tensor quantizerVariable(String name) {
        Tensor v = variables.get(name);
        if (v == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no variable '" + name + "'; it has "
                    + variables.keySet() + (variables.isEmpty() ? " (was initializeQuantization called?)" : ""));
        }
        return v;
    }

    /** The variables have been created. */
    protected final boolean initialized() {
        return !variables.isEmpty();
    }

    protected final void requireInitialized() {
        if (!initialized()) {
            throw new IllegalStateException(getClass().getSimpleName() + " has no variables yet: call "
                    + "initializeQuantization(shape, name, host) before forward or convertToInferable");
        }
    }
}
