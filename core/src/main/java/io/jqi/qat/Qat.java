package io.jqi.qat;

import io.jqi.nn.GraphModel;
import io.jqi.nn.Module;
import io.jqi.ptq.InferableQuantizerSource;
import io.jqi.ptq.Ptq;
import io.jqi.ptq.QuantizationPlan;
import io.jqi.ptq.TargetPlatform;
import io.jqi.quant.registry.QuantizerRegistry;
import io.jqi.quant.wrap.ActivationQuantizationHolder;
import io.jqi.quant.wrap.QuantizationWrapper;
import io.jqi.tensor.Tensor;

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

    /** {@link #init} with quantizers from {@code registry}. */
    public static GraphModel init(Module model, Iterable<Tensor> data, QatConfig config, TargetPlatform platform,
            QuantizerRegistry registry) {
        return init(Ptq.analyze(model, data, platform, config.ptq(), config), config, registry);
    }

    /**
     * The QAT-ready model of an analysis already made with {@code config} as its rules
     * ({@code Ptq.analyze(model, data, platform, config.ptq(), config)}), so that one analysis serves both the
     * post-training model ({@code plan.build(new InferableQuantizerSource())}) and QAT.
     */
    public static GraphModel init(QuantizationPlan plan, QatConfig config, QuantizerRegistry registry) {
        return plan.build(new TrainableQuantizerSource(config, registry));
    }

    /** The post-training model that {@link #init} starts from: the same analysis, with inferable quantizers. */
    public static GraphModel ptq(Module model, Iterable<Tensor> data, QatConfig config, TargetPlatform platform) {
        return Ptq.analyze(model, data, platform, config.ptq(), config).build(new InferableQuantizerSource());
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
