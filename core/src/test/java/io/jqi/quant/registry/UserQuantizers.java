package io.jqi.quant.registry;

import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import io.jqi.quant.QuantizerProvider;
import java.util.Collection;
import java.util.List;

/**
 * Test-only quantizer classes standing for a user's own training method, contributed through
 * META-INF/services exactly as a user's jar would.
 */
public final class UserQuantizers implements QuantizerProvider {
    @MarkQuantizer(target = QuantizationTarget.WEIGHTS,
            methods = {QuantizationMethod.POWER_OF_TWO, QuantizationMethod.SYMMETRIC}, identifier = "HMQ")
    public static final class HmqWeightsQuantizer {
    }

    @MarkQuantizer(target = QuantizationTarget.ACTIVATION, methods = QuantizationMethod.UNIFORM, identifier = "HMQ")
    public static final class HmqActivationQuantizer {
    }

    @Override
    public Collection<Class<?>> quantizerClasses() {
        return List.of(HmqWeightsQuantizer.class, HmqActivationQuantizer.class);
    }
}
