package io.jqi.quant.wrap;

import io.jqi.nn.Module;
import io.jqi.quant.FakeQuantizer;
import io.jqi.quant.QuantizerHost;
import io.jqi.quant.trainable.TrainableQuantizer;
import io.jqi.tensor.Tensor;

/**
 * A module that hosts quantizer variables: trainable ones become parameters (so optimizers and state dicts see
 * them), fixed ones buffers (saved, never stepped).
 */
abstract class QuantizerHostModule extends Module implements QuantizerHost {

    @Override
    public final void registerQuantizerVariable(String name, Tensor variable) {
        if (variable.requiresGrad()) {
            registerParameter(name, variable);
        } else {
            registerBuffer(name, variable);
        }
    }

    /**
     * Refused: the quantizers hold their variables as well as this module, so a copy would train variables its
     * quantizers do not read. Copy the float model and quantize the copy instead.
     */
    @Override
    protected final void copyOwnState(Module copy) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " holds quantizers and cannot be "
                + "copied; copy the float model and quantize the copy instead");
    }

    /** The inferable form of a trainable quantizer; inferable quantizers stay as they are. */
    static FakeQuantizer inferable(FakeQuantizer quantizer) {
        return quantizer instanceof TrainableQuantizer t ? t.convertToInferable() : quantizer;
    }
}
