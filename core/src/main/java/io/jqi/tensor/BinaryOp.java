package io.jqi.tensor;

/** Element-wise functions of two broadcast inputs. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV,
    /** 1 where a == b, else 0. */
    EQ,
    /** 1 where a > b, else 0. */
    GT,
    MAX, MIN
}
