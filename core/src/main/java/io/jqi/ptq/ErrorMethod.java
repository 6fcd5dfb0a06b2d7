package io.jqi.ptq;

/**
 * How post-training quantization scores a candidate threshold or range: by the error it leaves between the float
 * values and their quantized image (docs/quantizer-contract.md#threshold-selection). Serialized by name.
 */
public enum ErrorMethod {
    /** No search: the threshold or range just covers every value. */
    NOCLIPPING,
    /** Mean squared error, the reference's default. */
    MSE,
    /** Mean absolute error. */
    MAE,
    /** Mean of {@code |error|^p}, with {@code p} from the PTQ config ({@code l_p_value}, 2 by default). */
    LP
}
