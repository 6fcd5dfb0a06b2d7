package io.jqi.qat;

import io.jqi.ptq.ActivationQuantization;
import io.jqi.ptq.NodeRef;
import io.jqi.ptq.OpQuantization;
import io.jqi.ptq.PtqConfig;
import io.jqi.ptq.QuantizationRules;
import io.jqi.ptq.Signedness;
import io.jqi.ptq.WeightQuantization;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.TrainingMethod;
import io.jqi.quant.registry.QuantizerRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What quantization-aware training does (the reference's {@code QATConfig}, spec 8.1, with per-layer rules): the
 * training method and parameter overrides of weight and activation quantizers, optional changes to the target
 * platform's grids for all layers, per-layer rules addressed by node name or op kind, and the post-training
 * settings that initialise the quantizers. Immutable; build it with {@link #builder()} (or the Kotlin
 * {@code qat { }} DSL).
 *
 * <pre>{@code
 * QatConfig config = QatConfig.builder()
 *         .weights(w -> w.training(TrainingMethod.LSQ).symmetric(4).perChannel())
 *         .activations(a -> a.powerOfTwo(8))
 *         .layer("classifier", l -> l.weights(w -> w.uniform(8)))
 *         .skip("stem.conv")
 *         .build();
 * }</pre>
 */
public final class QatConfig implements QuantizationRules {
    private final WeightsSettings weights;
    private final ActivationsSettings activations;
    private final List<LayerRule> layers;
    private final PtqConfig ptq;

    /** A config from its parts; {@link #builder()} is the usual way to make one. Validated against the registry. */
    public QatConfig(WeightsSettings weights, ActivationsSettings activations, List<LayerRule> layers, PtqConfig ptq,
            QuantizerRegistry registry) {
        this.weights = weights == null ? WeightsSettings.INHERIT : weights;
        this.activations = activations == null ? ActivationsSettings.INHERIT : activations;
        this.layers = List.copyOf(layers == null ? List.of() : layers);
        this.ptq = ptq == null ? PtqConfig.defaults() : ptq;
        requireServable(registry);
    }

    /** STE for weights and activations, the platform's grids, the reference's PTQ defaults. */
    public static QatConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public WeightsSettings weights() {
        return weights;
    }

    public ActivationsSettings activations() {
        return activations;
    }

    public List<LayerRule> layers() {
        return layers;
    }

    public PtqConfig ptq() {
        return ptq;
    }

    /** The platform's choice for {@code node}, changed by this config's settings and then by its matching rules. */
    @Override
    public OpQuantization resolve(NodeRef node, OpQuantization op) {
        boolean hasKernel = op.kernelAttribute() != null;
        WeightQuantization w = hasKernel ? weights.applyTo(op.weights(), "Layer " + node, true, false) : null;
        ActivationQuantization a = activations.applyTo(op.activation(), "Layer " + node, false);
        OpQuantization out = op.withWeights(w).withActivation(a);
        for (LayerRule rule : layers) {
            if (!rule.matches(node)) {
                continue;
            }
            if (rule.skip()) {
                return OpQuantization.none();
            }
            String where = "Layer rule '" + rule.selector() + "' on " + node;
            out = out.withWeights(rule.weights().applyTo(out.weights(), where, hasKernel, true))
                    .withActivation(rule.activations().applyTo(out.activation(), where, true));
        }
        return out;
    }

    /** The trainable weights quantizer of {@code node}: the last matching rule's choice, else the config's, else STE. */
    public TrainingChoice weightsTraining(NodeRef node) {
        String id = weights.trainingMethod();
        Map<String, String> overrides = new LinkedHashMap<>(weights.paramsOverride());
        for (LayerRule rule : layers) {
            if (rule.matches(node)) {
                id = rule.weights().trainingMethod() != null ? rule.weights().trainingMethod() : id;
                overrides.putAll(rule.weights().paramsOverride());
            }
        }
        return new TrainingChoice(id != null ? id : TrainingMethod.STE, overrides);
    }

    /** The trainable activation quantizer of {@code node}, chosen like {@link #weightsTraining}. */
    public TrainingChoice activationsTraining(NodeRef node) {
        String id = activations.trainingMethod();
        Map<String, String> overrides = new LinkedHashMap<>(activations.paramsOverride());
        for (LayerRule rule : layers) {
            if (rule.matches(node)) {
                id = rule.activations().trainingMethod() != null ? rule.activations().trainingMethod() : id;
                overrides.putAll(rule.activations().paramsOverride());
            }
        }
        return new TrainingChoice(id != null ? id : TrainingMethod.STE, overrides);
    }

    /** Rejects rules whose selector matches none of {@code nodes}: a misspelt layer name must not pass silently. */
    @Override
    public void validate(List<NodeRef> nodes) {
        for (LayerRule rule : layers) {
            if (nodes.stream().noneMatch(rule::matches)) {
                List<String> names = nodes.stream().map(NodeRef::path).toList();
                List<String> kinds = nodes.stream().map(NodeRef::kind).distinct().toList();
                throw new IllegalArgumentException("Layer rule '" + rule.selector() + "' matches no node of the model; "
                        + "its nodes are " + names + " and its op kinds " + kinds);
            }
        }
    }

    /** Fails now, not at init, when a combination named in the config has no trainable quantizer. */
    private void requireServable(QuantizerRegistry registry) {
        require(registry, QuantizationTarget.WEIGHTS, weights.trainingMethod(), weights.method(), "weights");
        require(registry, QuantizationTarget.ACTIVATION, activations.trainingMethod(), activations.method(),
                "activations");
        for (LayerRule rule : layers) {
            if (rule.skip()) {
                continue;
            }
            String where = "layer rule '" + rule.selector() + "'";
            require(registry, QuantizationTarget.WEIGHTS, first(rule.weights().trainingMethod(),
                    weights.trainingMethod()), first(rule.weights().method(), weights.method()), where + " weights");
            require(registry, QuantizationTarget.ACTIVATION, first(rule.activations().trainingMethod(),
                    activations.trainingMethod()), first(rule.activations().method(), activations.method()),
                    where + " activations");
        }
    }

    private static void require(QuantizerRegistry registry, QuantizationTarget target, String id,
            QuantizationMethod method, String where) {
        if (method == null) {
            return;
        }
        try {
            registry.trainableQuantizerClass(target, id != null ? id : TrainingMethod.STE, method);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("The QAT config's " + where + " cannot be trained: " + e.getMessage(),
                    e);
        }
    }

    private static <T> T first(T a, T b) {
        return a != null ? a : b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QatConfig c && weights.equals(c.weights) && activations.equals(c.activations)
                && layers.equals(c.layers) && ptq.equals(c.ptq);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(weights, activations, layers, ptq);
    }

    @Override
    public String toString() {
        return "QatConfig[weights=" + weights + ", activations=" + activations + ", layers=" + layers + ", ptq=" + ptq
                + "]";
    }

    /** The Java fluent builder. */
    public static final class Builder {
        private WeightsSettings weights = WeightsSettings.INHERIT;
        private ActivationsSettings activations = ActivationsSettings.INHERIT;
        private final List<LayerRule> layers = new ArrayList<>();
        private PtqConfig ptq = PtqConfig.defaults();
        private QuantizerRegistry registry = QuantizerRegistry.global();

        private Builder() {
        }

        /** Settings for every quantized kernel. */
        public Builder weights(Consumer<WeightsBuilder> settings) {
            WeightsBuilder b = new WeightsBuilder();
            settings.accept(b);
            weights = b.build();
            return this;
        }

        /** Settings for every quantized activation. */
        public Builder activations(Consumer<ActivationsBuilder> settings) {
            ActivationsBuilder b = new ActivationsBuilder();
            settings.accept(b);
            activations = b.build();
            return this;
        }

        /** A rule for the nodes that {@code selector} names (node name, dotted path or op kind). */
        public Builder layer(String selector, Consumer<LayerBuilder> rule) {
            LayerBuilder b = new LayerBuilder();
            rule.accept(b);
            layers.add(new LayerRule(selector, false, b.weights, b.activations));
            return this;
        }

        /** Leaves the nodes that {@code selector} names entirely float. */
        public Builder skip(String selector) {
            layers.add(new LayerRule(selector, true, null, null));
            return this;
        }

        /** Appends a prepared rule. */
        public Builder rule(LayerRule rule) {
            layers.add(rule);
            return this;
        }

        public Builder ptq(PtqConfig config) {
            this.ptq = config;
            return this;
        }

        /** The registry that must serve the config's combinations (default: the global one). */
        public Builder registry(QuantizerRegistry registry) {
            this.registry = registry;
            return this;
        }

        public QatConfig build() {
            return new QatConfig(weights, activations, layers, ptq, registry);
        }
    }

    /** Kernel settings: only weight grids are offered. */
    public static final class WeightsBuilder {
        private String training;
        private QuantizationMethod method;
        private Integer bits;
        private Boolean perChannel;
        private Integer axis;
        private Boolean enabled;
        private final Map<String, Object> overrides = new LinkedHashMap<>();

        private WeightsBuilder() {
        }

        public WeightsBuilder training(String identifier) {
            this.training = identifier;
            return this;
        }

        public WeightsBuilder powerOfTwo(int bits) {
            return grid(QuantizationMethod.POWER_OF_TWO, bits);
        }

        public WeightsBuilder symmetric(int bits) {
            return grid(QuantizationMethod.SYMMETRIC, bits);
        }

        public WeightsBuilder uniform(int bits) {
            return grid(QuantizationMethod.UNIFORM, bits);
        }

        /** Per output channel, on the platform's axis. */
        public WeightsBuilder perChannel() {
            this.perChannel = true;
            return this;
        }

        public WeightsBuilder perChannel(int channelAxis) {
            this.perChannel = true;
            this.axis = channelAxis;
            return this;
        }

        public WeightsBuilder perTensor() {
            this.perChannel = false;
            return this;
        }

        /** Keeps the kernels float. */
        public WeightsBuilder disabled() {
            this.enabled = false;
            return this;
        }

        /** A named option for the quantizer's constructor, such as {@code ("gradient_scale", "PAPER")}. */
        public WeightsBuilder override(String name, Object value) {
            overrides.put(name, value);
            return this;
        }

        private WeightsBuilder grid(QuantizationMethod m, int b) {
            this.method = m;
            this.bits = b;
            return this;
        }

        private WeightsSettings build() {
            return new WeightsSettings(training, method, bits, perChannel, axis, enabled, Settings.asText(overrides));
        }
    }

    /** Activation settings: only activation grids are offered. */
    public static final class ActivationsBuilder {
        private String training;
        private QuantizationMethod method;
        private Integer bits;
        private Signedness signedness;
        private Boolean enabled;
        private final Map<String, Object> overrides = new LinkedHashMap<>();

        private ActivationsBuilder() {
        }

        public ActivationsBuilder training(String identifier) {
            this.training = identifier;
            return this;
        }

        public ActivationsBuilder powerOfTwo(int bits) {
            return grid(QuantizationMethod.POWER_OF_TWO, bits);
        }

        public ActivationsBuilder symmetric(int bits) {
            return grid(QuantizationMethod.SYMMETRIC, bits);
        }

        public ActivationsBuilder uniform(int bits) {
            return grid(QuantizationMethod.UNIFORM, bits);
        }

        public ActivationsBuilder signedness(Signedness s) {
            this.signedness = s;
            return this;
        }

        /** Keeps the outputs float. */
        public ActivationsBuilder disabled() {
            this.enabled = false;
            return this;
        }

        /** A named option for the quantizer's constructor, such as {@code ("freeze_quant_params", true)}. */
        public ActivationsBuilder override(String name, Object value) {
            overrides.put(name, value);
            return this;
        }

        private ActivationsBuilder grid(QuantizationMethod m, int b) {
            this.method = m;
            this.bits = b;
            return this;
        }

        private ActivationsSettings build() {
            return new ActivationsSettings(training, method, bits, signedness, enabled, Settings.asText(overrides));
        }
    }

    /** One layer rule's weights and activation settings. */
    public static final class LayerBuilder {
        private WeightsSettings weights;
        private ActivationsSettings activations;

        private LayerBuilder() {
        }

        public LayerBuilder weights(Consumer<WeightsBuilder> settings) {
            WeightsBuilder b = new WeightsBuilder();
            settings.accept(b);
            weights = b.build();
            return this;
        }

        public LayerBuilder activations(Consumer<ActivationsBuilder> settings) {
            ActivationsBuilder b = new ActivationsBuilder();
            settings.accept(b);
            activations = b.build();
            return this;
        }
    }
}
