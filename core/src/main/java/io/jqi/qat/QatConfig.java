package io.jqi.qat;

import io.jqi.ptq.ActivationQuantization;
import io.jqi.ptq.NodeRef;
import io.jqi.ptq.OpQuantization;
import io.jqi.ptq.PtqConfig;
import io.jqi.ptq.QuantizationRules;
import io.jqi.ptq.Signedness;
import io.jqi.ptq.WeightQuantization;
import io.jqi.qat.mixed.MixedPrecisionSettings;
import io.jqi.qat.mixed.WeightsMemoryBudget;
import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.TrainingMethod;
import io.jqi.quant.registry.QuantizerRegistry;
import io.jqi.quant.trainable.LearnedBitWidth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What quantization-aware training does (the reference's {@code QATConfig} with per-layer rules,
 * docs/quantizer-contract.md#qat-config): the training method and parameter overrides of weight and activation
 * quantizers, optional changes to the target platform's grids for all layers, per-layer rules addressed by node name or
 * op kind, the post-training settings that initialise the quantizers, and optionally mixed precision: a weights memory
 * budget that {@link Qat#init} meets by choosing each kernel's width. Immutable; build it with {@link #builder()} (or
 * the Kotlin {@code qat { }} DSL).
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
    private final MixedPrecisionSettings mixedPrecision;

    /** A config from its parts, without mixed precision. Validated against the registry. */
    public QatConfig(WeightsSettings weights, ActivationsSettings activations, List<LayerRule> layers, PtqConfig ptq,
            QuantizerRegistry registry) {
        this(weights, activations, layers, ptq, null, registry);
    }

    /**
     * A config from its parts; {@link #builder()} is the usual way to make one. Validated against the registry.
     *
     * @param mixedPrecision the budgets and candidate widths, or null for the widths the grids give
     */
    public QatConfig(WeightsSettings weights, ActivationsSettings activations, List<LayerRule> layers, PtqConfig ptq,
            MixedPrecisionSettings mixedPrecision, QuantizerRegistry registry) {
        this.weights = weights == null ? WeightsSettings.INHERIT : weights;
        this.activations = activations == null ? ActivationsSettings.INHERIT : activations;
        this.layers = List.copyOf(layers == null ? List.of() : layers);
        this.ptq = ptq == null ? PtqConfig.defaults() : ptq;
        this.mixedPrecision = mixedPrecision;
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

    /** The budgets and candidate widths, or null when every kernel and activation takes its grid's width. */
    public MixedPrecisionSettings mixedPrecision() {
        return mixedPrecision;
    }

    /**
     * This config with one more layer rule per layer of {@code bits} that sets its weight width, after the config's own
     * rules so that they decide the widths, and without mixed-precision settings (the widths are chosen). The grids,
     * granularity and training methods stay the config's.
     */
    public QatConfig withWeightBits(Map<String, Integer> bits, QuantizerRegistry registry) {
        return withWidths(bits, Map.of(), registry);
    }

    /** {@link #withWeightBits(Map, QuantizerRegistry)} checked against the global registry. */
    public QatConfig withWeightBits(Map<String, Integer> bits) {
        return withWeightBits(bits, QuantizerRegistry.global());
    }

    /**
     * This config with the widths a mixed-precision search chose: a layer rule per layer of {@code weightBits} that
     * sets its kernel's width and one per value of {@code activationBits} (a node, or a model input) that sets its
     * activation's width, after the config's own rules, and without mixed-precision settings.
     */
    public QatConfig withWidths(Map<String, Integer> weightBits, Map<String, Integer> activationBits,
            QuantizerRegistry registry) {
        List<LayerRule> rules = new ArrayList<>(layers);
        weightBits.forEach((layer, b) -> rules.add(new LayerRule(layer, false,
                new WeightsSettings(null, null, b, null, null, null, Map.of()), ActivationsSettings.INHERIT)));
        activationBits.forEach((value, b) -> rules.add(new LayerRule(value, false, WeightsSettings.INHERIT,
                new ActivationsSettings(null, null, b, null, null, Map.of()))));
        return new QatConfig(weights, activations, rules, ptq, null, registry);
    }

    /** This config with {@code settings} as its mixed precision (null: none). */
    public QatConfig withMixedPrecision(MixedPrecisionSettings settings, QuantizerRegistry registry) {
        return new QatConfig(weights, activations, layers, ptq, settings, registry);
    }

    /**
     * Whether the weights' training method is one whose quantizers learn their own widths ({@link LearnedBitWidth},
     * such as HMQ): then a weights memory budget is a training penalty rather than a search.
     */
    public boolean weightsLearnTheirWidths(QuantizerRegistry registry) {
        String id = weights.trainingMethod();
        return id != null && registry.registeredClasses().stream().anyMatch(c -> {
            MarkQuantizer mark = c.getAnnotation(MarkQuantizer.class);
            return LearnedBitWidth.class.isAssignableFrom(c) && mark.target() == QuantizationTarget.WEIGHTS
                    && mark.identifier().equals(id);
        });
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
                && layers.equals(c.layers) && ptq.equals(c.ptq)
                && java.util.Objects.equals(mixedPrecision, c.mixedPrecision);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(weights, activations, layers, ptq, mixedPrecision);
    }

    @Override
    public String toString() {
        return "QatConfig[weights=" + weights + ", activations=" + activations + ", layers=" + layers + ", ptq=" + ptq
                + (mixedPrecision == null ? "" : ", mixedPrecision=" + mixedPrecision) + "]";
    }

    /**
     * The weights and activations blocks that the config and each of its layer rules take. Each block is given at
     * most once per level, since a second one would silently replace the first; an error inside a block names it.
     */
    public abstract static sealed class BlocksBuilder<B extends BlocksBuilder<B>> permits Builder, LayerBuilder {
        /** What errors name before a block: null at the config's level, {@code "layer 'x'"} in a rule. */
        private final String owner;
        WeightsSettings weights;
        ActivationsSettings activations;

        private BlocksBuilder(String owner) {
            this.owner = owner;
        }

        abstract B self();

        /** How kernels are quantized and trained (every quantized kernel, or the rule's). */
        public B weights(Consumer<WeightsBuilder> settings) {
            requireFirst(weights, "weights");
            weights = Settings.within(where("weights"), () -> {
                WeightsBuilder b = new WeightsBuilder();
                settings.accept(b);
                return b.build();
            });
            return self();
        }

        /** How output activations are quantized and trained (every quantized one, or the rule's). */
        public B activations(Consumer<ActivationsBuilder> settings) {
            requireFirst(activations, "activations");
            activations = Settings.within(where("activations"), () -> {
                ActivationsBuilder b = new ActivationsBuilder();
                settings.accept(b);
                return b.build();
            });
            return self();
        }

        /** Rejects a second {@code block} at this level. */
        void requireFirst(Object given, String block) {
            if (given != null) {
                String message = Settings.givenTwice("the " + block + " block", "put its settings in one block");
                throw new IllegalArgumentException(owner == null ? message : owner + ": " + message);
            }
        }

        private String where(String block) {
            return owner == null ? block : owner + " " + block;
        }
    }

    /** The Java fluent builder. */
    public static final class Builder extends BlocksBuilder<Builder> {
        private final List<LayerRule> layers = new ArrayList<>();
        private PtqConfig ptq;
        private MixedPrecisionSettings mixedPrecision;
        private QuantizerRegistry registry = QuantizerRegistry.global();

        private Builder() {
            super(null);
        }

        @Override
        Builder self() {
            return this;
        }

        /** A rule for the nodes that {@code selector} names (node name, dotted path or op kind). */
        public Builder layer(String selector, Consumer<LayerBuilder> rule) {
            LayerBuilder b = new LayerBuilder(selector);
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

        /** How post-training quantization picks the thresholds the quantizers start from (default: the reference's). */
        public Builder ptq(PtqConfig config) {
            requireFirst(ptq, "ptq");
            this.ptq = config;
            return this;
        }

        /**
         * Mixed precision: each quantized kernel takes one of {@code candidateBits} (none given: the platform's
         * candidates for it, 8, 4 and 2 bits on the default platform) so that the kernels fit {@code budget} ({@link Qat#init} runs the search; docs/qat-config.md#mixed-precision-under-resource-budgets).
         */
        public Builder mixedPrecision(WeightsMemoryBudget budget, int... candidateBits) {
            return mixedPrecision(new MixedPrecisionSettings(budget, null,
                    java.util.Arrays.stream(candidateBits).boxed().toList()));
        }

        /** Mixed precision within the budgets of {@code settings} (weights memory, bit operations or both). */
        public Builder mixedPrecision(MixedPrecisionSettings settings) {
            requireFirst(mixedPrecision, "mixed precision");
            this.mixedPrecision = java.util.Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** The registry that must serve the config's combinations (default: the global one). */
        public Builder registry(QuantizerRegistry registry) {
            this.registry = registry;
            return this;
        }

        public QatConfig build() {
            return new QatConfig(weights, activations, layers, ptq, mixedPrecision, registry);
        }
    }

    /** One layer rule's weights and activation settings. */
    public static final class LayerBuilder extends BlocksBuilder<LayerBuilder> {
        private LayerBuilder(String selector) {
            super("layer '" + selector + "'");
        }

        @Override
        LayerBuilder self() {
            return this;
        }
    }

    /**
     * What weights and activations settings share: the training method, one grid, parameter overrides and switching
     * quantization off. Each option is given at most once, since a second call would silently replace the first.
     */
    public abstract static sealed class GridSettingsBuilder<B extends GridSettingsBuilder<B>>
            permits WeightsBuilder, ActivationsBuilder {
        String training;
        QuantizationMethod method;
        Integer bits;
        Boolean enabled;
        private final Map<String, Object> overrides = new LinkedHashMap<>();

        private GridSettingsBuilder() {
        }

        abstract B self();

        /** The training-method identifier: STE, LSQ or a registered quantizer's own. Unset: inherited. */
        public B training(String identifier) {
            Settings.requireFirst(training, "the training method", "give one");
            this.training = identifier;
            return self();
        }

        /** A symmetric grid whose threshold is a power of two. */
        public B powerOfTwo(int bits) {
            return grid(QuantizationMethod.POWER_OF_TWO, bits);
        }

        /** A symmetric grid with any positive threshold. */
        public B symmetric(int bits) {
            return grid(QuantizationMethod.SYMMETRIC, bits);
        }

        /** An asymmetric grid on a range that contains zero. */
        public B uniform(int bits) {
            return grid(QuantizationMethod.UNIFORM, bits);
        }

        /** Keeps these tensors float; nothing else may be set then, as it would have no effect. */
        public B disabled() {
            Settings.requireFirst(enabled, "disabled", "give it once");
            this.enabled = false;
            return self();
        }

        /** A named option for the quantizer's constructor, such as {@code ("gradient_scale", "PAPER")}. */
        public B override(String name, Object value) {
            Settings.requireFirst(overrides.get(name), "the override '" + name + "'", "give it once");
            overrides.put(name, value);
            return self();
        }

        Map<String, String> overridesAsText() {
            return Settings.asText(overrides);
        }

        private B grid(QuantizationMethod m, int b) {
            Settings.requireFirst(method, "the grid", "give one of powerOfTwo, symmetric or uniform");
            this.method = m;
            this.bits = b;
            return self();
        }
    }

    /** Kernel settings: only weight grids are offered. */
    public static final class WeightsBuilder extends GridSettingsBuilder<WeightsBuilder> {
        private Boolean perChannel;
        private Integer axis;

        private WeightsBuilder() {
        }

        @Override
        WeightsBuilder self() {
            return this;
        }

        /** Per output channel, on the platform's axis. */
        public WeightsBuilder perChannel() {
            return granularity(true, null);
        }

        /** Per channel along {@code channelAxis} of the kernel (jqi kernels are {@code [out, in, ...]}). */
        public WeightsBuilder perChannel(int channelAxis) {
            return granularity(true, channelAxis);
        }

        /** One threshold or range for the whole kernel. */
        public WeightsBuilder perTensor() {
            return granularity(false, null);
        }

        private WeightsBuilder granularity(boolean perChannel, Integer axis) {
            Settings.requireFirst(this.perChannel, "per-channel or per-tensor", "give one of perChannel or perTensor");
            this.perChannel = perChannel;
            this.axis = axis;
            return this;
        }

        private WeightsSettings build() {
            return new WeightsSettings(training, method, bits, perChannel, axis, enabled, overridesAsText());
        }
    }

    /** Activation settings: only activation grids are offered. */
    public static final class ActivationsBuilder extends GridSettingsBuilder<ActivationsBuilder> {
        private Signedness signedness;

        private ActivationsBuilder() {
        }

        @Override
        ActivationsBuilder self() {
            return this;
        }

        /** Signed, unsigned or decided from the statistics (unset: inherited, AUTO on the default platform). */
        public ActivationsBuilder signedness(Signedness s) {
            Settings.requireFirst(signedness, "the signedness", "give one");
            this.signedness = s;
            return this;
        }

        private ActivationsSettings build() {
            return new ActivationsSettings(training, method, bits, signedness, enabled, overridesAsText());
        }
    }
}
