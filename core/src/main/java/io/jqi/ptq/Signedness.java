package io.jqi.ptq;

/**
 * Whether an activation grid has negative levels (docs/quantizer-contract.md#activation-signedness). Serialized by
 * name.
 */
public enum Signedness {
    /** Signed when the statistics show negative values (or the op's known output range does). */
    AUTO,
    SIGNED,
    UNSIGNED
}
