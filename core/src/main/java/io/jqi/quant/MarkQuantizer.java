package io.jqi.quant;

import io.jqi.quant.QuantizationMethod;
import io.jqi.quant.QuantizationTarget;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares what a quantizer class quantizes, with which methods, and under which identifier the registry finds it:
 * {@link QuantizerId#INFERABLE} for inferable quantizers, a training-method identifier such as
 * {@link TrainingMethod#STE} (or one of your own, say {@code "HMQ"}) for trainable ones. Not inherited: every
 * concrete quantizer class states its own.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface MarkQuantizer {
    QuantizationTarget target();

    QuantizationMethod[] methods();

    String identifier();
}
