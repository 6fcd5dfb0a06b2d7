package io.jqi.qat;

import io.jqi.ptq.ActivationQuantization;
import io.jqi.ptq.NodePlan;
import io.jqi.ptq.QuantizerSource;
import io.jqi.ptq.WeightQuantization;
import io.jqi.quant.FakeQuantizer;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.registry.QuantizerRegistry;
import io.jqi.quant.trainable.TrainableQuantizerActivationConfig;
import io.jqi.quant.trainable.TrainableQuantizerFactory;
import io.jqi.quant.trainable.TrainableQuantizerWeightsConfig;

/**
 * The trainable quantizers of a plan: for each node the class the registry holds for (target, the config's training
 * method, the node's grid), built with the plan's parameters and the config's overrides (step 5 of
 * docs/quantizer-contract.md#qat-init).
 */
final class TrainableQuantizerSource implements QuantizerSource {
    private final QatConfig config;
    private final QuantizerRegistry registry;

    TrainableQuantizerSource(QatConfig config, QuantizerRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    @Override
    public FakeQuantizer weights(NodePlan node) {
        WeightQuantization w = node.quantization().weights();
        TrainingChoice choice = config.weightsTraining(node.ref());
        var quantizerConfig = new TrainableQuantizerWeightsConfig(w.method(), w.bits(), node.weights(), true,
                w.channelAxis(), w.perChannel(), config.ptq().minThreshold());
        return create(node, QuantizationTarget.WEIGHTS, choice, quantizerConfig);
    }

    @Override
    public FakeQuantizer activation(NodePlan node) {
        ActivationQuantization a = node.quantization().activation();
        TrainingChoice choice = config.activationsTraining(node.ref());
        var quantizerConfig = new TrainableQuantizerActivationConfig(a.method(), a.bits(), node.activation(), true,
                config.ptq().minThreshold());
        return create(node, QuantizationTarget.ACTIVATION, choice, quantizerConfig);
    }

    private FakeQuantizer create(NodePlan node, QuantizationTarget target, TrainingChoice choice,
            io.jqi.quant.trainable.TrainableQuantizerConfig quantizerConfig) {
        try {
            Class<?> cls = registry.trainableQuantizerClass(target, choice.identifier(), quantizerConfig.method());
            return TrainableQuantizerFactory.create(cls, quantizerConfig, choice.paramsOverride());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Layer " + node.ref() + ", " + target.name().toLowerCase(
                    java.util.Locale.ROOT) + ": " + e.getMessage(), e);
        }
    }
}
