package io.jqi.ptq;

/** Whether an activation grid has negative levels (spec 9.4). Serialized by name. */
public enum Signedness {
    /** Signed when the statistics show negative values (or the op's known output range does). */
    AUTO,
    SIGNED,
    UNSIGNED
}
