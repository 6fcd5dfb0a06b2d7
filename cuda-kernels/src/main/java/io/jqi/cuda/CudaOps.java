package io.jqi.cuda;

import io.jqi.tensor.BinaryOp;
import io.jqi.tensor.UnaryOp;

/**
 * The op codes of map.cu and zip.cu. Spelled out case by case (not {@code ordinal()}) so that reordering or extending
 * the Java enums fails to compile here instead of silently running another op on the GPU.
 */
final class CudaOps {
    private CudaOps() {
    }

    static int unaryCode(UnaryOp op) {
        return switch (op) {
            case NEG -> 0;
            case EXP -> 1;
            case LOG -> 2;
            case SQRT -> 3;
            case ABS -> 4;
            case SIGN -> 5;
            case RECIPROCAL -> 6;
            case ROUND -> 7;
            case FLOOR -> 8;
            case RELU -> 9;
            case CLAMP -> 10;
            case LEAKY_RELU -> 11;
            case SIGMOID -> 12;
            case TANH -> 13;
            case HARDSWISH -> 14;
            case SILU -> 15;
            case AFFINE -> 16;
            case INSIDE -> 17;
            case POSITIVE -> 18;
            case HARDSWISH_GRAD -> 19;
            case POW -> 20;
            case CEIL_POW2 -> 21;
            case DIVIDE -> 22;
            case ERF -> 23;
        };
    }

    static int binaryCode(BinaryOp op) {
        return switch (op) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
            case EQ -> 4;
            case GT -> 5;
            case MAX -> 6;
            case MIN -> 7;
        };
    }

    /** Ops whose CUDA result is bit-identical to the CPU's; the rest agree within 1 float ulp (docs/cuda.md). */
    static boolean isExact(UnaryOp op) {
        return switch (op) {
            case EXP, LOG, SIGMOID, TANH, SILU, POW, ERF -> false;
            default -> true;
        };
    }
}
