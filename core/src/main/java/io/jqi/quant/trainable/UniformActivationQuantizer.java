package io.jqi.quant.trainable;

import io.jqi.quant.QuantizerChecks;
import io.jqi.quant.RoundingMode;
import io.jqi.quant.inferable.ActivationUniformInferableQuantizer;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;

/** What the STE and LSQ uniform activation quantizers share: one min/max pair, forward, conversion. */
abstract class UniformActivationQuantizer extends TrainableQuantizer {
    private Tensor min;
    private Tensor max;

    UniformActivationQuantizer(TrainableQuantizerActivationConfig config, boolean freezeQuantParams) {
        super(config, freezeQuantParams);
        QuantizerChecks.requireRanges(config.params().rangeMin(), config.params().rangeMax(), false);
    }

    abstract float gradScale(Tensor x);

    abstract boolean hardClip();

    @Override
    public void initializeQuantization(Shape shape, String name, QuantizerHost host) {
        min = Tensor.vector(config().params().rangeMin()).requiresGrad(!freezeQuantParams());
        max = Tensor.vector(config().params().rangeMax()).requiresGrad(!freezeQuantParams());
        addQuantizerVariable(host, name + "_min", min, VariableGroup.QPARAMS);
        addQuantizerVariable(host, name + "_max", max, VariableGroup.QPARAMS);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        requireInitialized();
        int bits = config().nBits();
        Tensor fused = FusedQuantizers.uniform(x, min, max, bits, false, 0, hardClip(), gradScale(x));
        if (fused != null) {
            return fused;
        }
        Tensor value = UniformGrids.value(x, min, max, bits, false, 0);
        Tensor surrogate = UniformGrids.surrogate(x, min, max, bits, gradScale(x), hardClip(), false, 0);
        return Tensor.straightThrough(value, surrogate);
    }

    @Override
    public InferableQuantizer convertToInferable() {
        requireInitialized();
        return new ActivationUniformInferableQuantizer(config().nBits(), min.toFloatArray(), max.toFloatArray(),
                RoundingMode.HALF_EVEN);
    }
}
