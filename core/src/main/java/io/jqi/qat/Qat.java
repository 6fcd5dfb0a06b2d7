package io.jqi.qat;

import io.jqi.nn.GraphModel;
import io.jqi.nn.Module;
import io.jqi.ptq.InferableQuantizerSource;
import io.jqi.ptq.Ptq;
import io.jqi.ptq.QuantizationPlan;
import io.jqi.ptq.TargetPlatform;
import io.jqi.qat.mixed.MixedPrecision;
import io.jqi.qat.mixed.MixedPrecisionPlan;
import io.jqi.qat.mixed.MixedPrecisionSettings;
import io.jqi.quant.registry.QuantizerRegistry;
import io.jqi.quant.wrap.ActivationQuantizationHolder;
import io.jqi.quant.wrap.QuantizationWrapper;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Quantization-aware training (docs/quantizer-contract.md#qat-flow): {@link #init} turns a float model into a QAT-ready
 * one whose trainable quantizers start from post-training thresholds, the user trains it with any optimizer (the
 * quantizers' variables are among {@code model.parameters()}), and {@link #finalize(Module)} converts every quantizer
 * to its inferable form. The float model is not changed.
 *
 * <pre>{@code
 * GraphModel qat = Qat.init(model, RepresentativeData.of(loader, 16), QatConfig.defaults(),
 *         TargetPlatform.defaultPlatform());
 * // ... train qat ...
 * Qat.finalize(qat);
 * }</pre>
 */
public final class Qat {
    private Qat() {
    }

    /**
     * The QAT-ready copy of {@code model}: post-training analysis under {@code platform} and the config's rules, then
     * every quantized kernel wrapped in a {@link QuantizationWrapper} and every quantized value (model inputs
     * included) followed by an {@link ActivationQuantizationHolder}, with trainable quantizers from the global
     * registry. Right after init its outputs equal those of {@link #ptq} on the same arguments.
     */
    public static GraphModel init(Module model, Iterable<Tensor> data, QatConfig config, TargetPlatform platform) {
        return init(model, data, config, platform, QuantizerRegistry.global());
    }

    /**
     * {@link #init} with quantizers from {@code registry}. A config with {@linkplain QatConfig#mixedPrecision() mixed
     * precision} first has the {@link MixedPrecision} search choose every kernel's width within its budget, unless the
     * weights' training method learns its widths (then the budget is for a {@code WeightsMemoryPenalty} in training).
     */
    public static GraphModel init(Module model, Iterable<Tensor> data, QatConfig config, TargetPlatform platform,
            QuantizerRegistry registry) {
        List<Tensor> batches = batches(data);
        QatConfig widths = withChosenWidths(model, batches, config, platform, registry);
        return init(Ptq.analyze(model, batches, platform, widths.ptq(), widths), widths, registry);
    }

    /**
     * The QAT-ready model of an analysis already made with {@code config} as its rules
     * ({@code Ptq.analyze(model, data, platform, config.ptq(), config)}), so that one analysis serves both the
     * post-training model ({@code plan.build(new InferableQuantizerSource())}) and QAT.
     *
     * @throws IllegalArgumentException when the config asks for a mixed-precision search, which needs the model and
     *     data: use {@link #init(Module, Iterable, QatConfig, TargetPlatform)}, or apply a search's widths first
     */
    public static GraphModel init(QuantizationPlan plan, QatConfig config, QuantizerRegistry registry) {
        if (config.mixedPrecision() != null && !config.weightsLearnTheirWidths(registry)) {
            throw new IllegalArgumentException("the QAT config asks for a mixed-precision search, which needs the model "
                    + "and data: call Qat.init(model, data, config, platform), or search first and pass "
                    + "config.withWeightBits(plan.bits())");
        }
        return plan.build(new TrainableQuantizerSource(config, registry));
    }

    /** The post-training model that {@link #init} starts from: the same analysis, with inferable quantizers. */
    public static GraphModel ptq(Module model, Iterable<Tensor> data, QatConfig config, TargetPlatform platform) {
        List<Tensor> batches = batches(data);
        QatConfig widths = withChosenWidths(model, batches, config, platform, QuantizerRegistry.global());
        return Ptq.analyze(model, batches, platform, widths.ptq(), widths).build(new InferableQuantizerSource());
    }

    /** {@code config} with the widths its mixed-precision settings choose, if it has them and the search applies. */
    private static QatConfig withChosenWidths(Module model, List<Tensor> batches, QatConfig config,
            TargetPlatform platform, QuantizerRegistry registry) {
        MixedPrecisionSettings mp = config.mixedPrecision();
        if (mp == null) {
            return config;
        }
        if (config.weightsLearnTheirWidths(registry)) {
            if (mp.bitOps() != null || mp.weightsMemory() == null || mp.choosesActivations()) {
                throw new IllegalArgumentException("the weights' training method learns its widths, held to a weights "
                        + "memory budget in training; bit-operations, activation memory and total memory budgets need "
                        + "the mixed-precision search (train with STE or LSQ)");
            }
            return config;
        }
        QatConfig rules = config.withMixedPrecision(null, registry);
        MixedPrecisionPlan plan = MixedPrecision.search(model, batches, rules, rules.ptq(), platform, mp);
        return rules.withWidths(plan.bits(), plan.activationBits(), registry);
    }

    /** The batches, read once: analysis and search both pass over them, and an Iterable may be one-shot. */
    private static List<Tensor> batches(Iterable<Tensor> data) {
        List<Tensor> batches = new ArrayList<>();
        data.forEach(batches::add);
        return batches;
    }

    /**
     * Converts, in place, every trainable quantizer of {@code model}'s wrappers and holders to its inferable form,
     * and puts the model in evaluation mode. Returns {@code model}; its outputs stay the same.
     */
    public static <M extends Module> M finalize(M model) {
        for (Module m : model.namedModules().values()) {
            if (m instanceof QuantizationWrapper w) {
                w.convertToInferableQuantizers();
            } else if (m instanceof ActivationQuantizationHolder h) {
                h.convertToInferableQuantizers();
            }
        }
        model.eval();
        return model;
    }
}
