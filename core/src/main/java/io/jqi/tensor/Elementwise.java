package io.jqi.tensor;

/** Element-wise operations with NumPy broadcasting, and their gradients. */
final class Elementwise {
    private Elementwise() {
    }

    static Tensor zip(BinaryOp op, Tensor a, Tensor b) {
        requireSameDevice(a, b);
        Shape out = broadcastShape(a.shape(), b.shape());
        Storage s = a.backend().zip(op, a.storage(), a.shape(), b.storage(), b.shape(), out);
        Shape as = a.shape();
        Shape bs = b.shape();
        // The backward function captures the operands' values only where the gradient reads them, so that a sum's
        // operands (a residual connection's, say) are freed once the forward pass drops them.
        boolean readsValues = op != BinaryOp.ADD && op != BinaryOp.SUB;
        Tensor av = readsValues ? a : null;
        Tensor bv = readsValues ? b : null;
        return Tensor.result(out, s, g -> switch (op) {
            case ADD -> new Tensor[] {Reductions.sumTo(g, as), Reductions.sumTo(g, bs)};
            case SUB -> new Tensor[] {Reductions.sumTo(g, as), Reductions.sumTo(g.neg(), bs)};
            case MUL -> new Tensor[] {Reductions.sumTo(g.mul(bv), as), Reductions.sumTo(g.mul(av), bs)};
            case DIV -> new Tensor[] {Reductions.sumTo(g.div(bv), as),
                Reductions.sumTo(g.mul(av).div(bv.mul(bv)).neg(), bs)};
            case MAX -> {
                Tensor toB = zip(BinaryOp.GT, bv, av);
                yield new Tensor[] {Reductions.sumTo(g.mul(toB.neg().add(1f)), as), Reductions.sumTo(g.mul(toB), bs)};
            }
            case MIN -> {
                Tensor toB = zip(BinaryOp.GT, av, bv);
                yield new Tensor[] {Reductions.sumTo(g.mul(toB.neg().add(1f)), as), Reductions.sumTo(g.mul(toB), bs)};
            }
            case EQ, GT -> new Tensor[] {null, null};
        }, a, b);
    }

    static Tensor map(UnaryOp op, Tensor x, float a, float b) {
        Storage s = x.backend().map(op, x.storage(), a, b);
        // The backward function holds the input or the output only when the gradient reads it: a ReLU's input (a
        // batch norm's output, say) is freed once the forward pass moves on.
        Saved saved = saved(op);
        Tensor input = saved == Saved.INPUT ? x : null;
        Tensor[] output = new Tensor[1];
        Tensor out = Tensor.result(x.shape(), s, g -> new Tensor[] {gradient(op, input, output[0], g, a, b)}, x);
        if (saved == Saved.OUTPUT) {
            output[0] = out.detach();
        }
        return out;
    }

    /** What a map's gradient reads besides the output gradient. */
    private enum Saved { NONE, INPUT, OUTPUT }

    private static Saved saved(UnaryOp op) {
        return switch (op) {
            case NEG, AFFINE, DIVIDE, ROUND, FLOOR, SIGN, INSIDE, POSITIVE, HARDSWISH_GRAD, CEIL_POW2 -> Saved.NONE;
            case EXP, SQRT, RECIPROCAL, RELU, SIGMOID, TANH -> Saved.OUTPUT;
            case LOG, ABS, POW, CLAMP, LEAKY_RELU, HARDSWISH, SILU, ERF -> Saved.INPUT;
        };
    }

    /**
     * d(op)/dx times g, from the input {@code x} or the output {@code out}, whichever {@link #saved} keeps (the other
     * is null); null where the derivative is zero everywhere it exists.
     */
    private static Tensor gradient(UnaryOp op, Tensor x, Tensor out, Tensor g, float a, float b) {
        return switch (op) {
            case NEG -> g.neg();
            case EXP -> g.mul(out);
            case LOG -> g.div(x);
            case SQRT -> g.mul(0.5f).div(out);
            case ABS -> g.mul(map(UnaryOp.SIGN, x, 0f, 0f));
            case RECIPROCAL -> g.mul(out.mul(out)).neg();
            case POW -> g.mul(x.pow(a - 1f).mul(a));
            // relu(x) > 0 exactly where x > 0 (a NaN input gives 0, and POSITIVE(NaN) is 0 too).
            case RELU -> Tensor.ofStorage(g.shape(), g.backend().reluGradient(g.storage(), out.storage(), g.shape()));
            case CLAMP -> g.mul(map(UnaryOp.INSIDE, x, a, b));
            case LEAKY_RELU -> g.mul(map(UnaryOp.POSITIVE, x, 0f, 0f).mul(1f - a).add(a));
            case SIGMOID -> g.mul(out.mul(out.neg().add(1f)));
            case TANH -> g.mul(out.mul(out).neg().add(1f));
            case HARDSWISH -> g.mul(map(UnaryOp.HARDSWISH_GRAD, x, 0f, 0f));
            case SILU -> {
                Tensor s = x.sigmoid();
                yield g.mul(s.add(x.mul(s).mul(s.neg().add(1f))));
            }
            case AFFINE -> g.mul(a);
            case DIVIDE -> map(UnaryOp.DIVIDE, g, a, 0f);
            // 2 / sqrt(pi) * exp(-x^2)
            case ERF -> g.mul(x.mul(x).neg().exp().mul(1.1283791670955126f));
            case ROUND, FLOOR, SIGN, INSIDE, POSITIVE, HARDSWISH_GRAD, CEIL_POW2 -> null;
        };
    }

    /** The NumPy broadcast of two shapes, or an error naming both. */
    static Shape broadcastShape(Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.rank() ? 1 : a.dim(i - (rank - a.rank()));
            int db = i < rank - b.rank() ? 1 : b.dim(i - (rank - b.rank()));
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("Shapes " + a + " and " + b + " do not broadcast: dimension " + i
                        + " of the result would need " + da + " and " + db);
            }
            out[i] = da == 1 ? db : da;
        }
        return Shape.of(out);
    }

    static void requireSameDevice(Tensor a, Tensor b) {
        if (a.device() != b.device()) {
            throw new IllegalArgumentException("Tensors on different devices (" + a.device() + " and " + b.device()
                    + ") cannot be combined; move one of them first");
        }
        if (a.backend() != b.backend()) {
            throw new IllegalArgumentException("Tensors on two backends of " + a.device() + " (" + a.backend()
                    + " and " + b.backend() + ") cannot be combined; move one of them with to(backend) first");
        }
    }
}
