package io.jqi.nn;

import io.jqi.tensor.Tensor;

/** Permutes the axes (ONNX {@code Transpose}): output axis {@code i} is input axis {@code perm[i]}; no permutation reverses them. */
public final class Transpose extends Module implements DataMovement {
    private final int[] perm;

    /** {@code perm} may be empty: then the axes are reversed, whatever the input's rank. */
    public Transpose(int... perm) {
        boolean[] seen = new boolean[perm.length];
        for (int p : perm) {
            if (p < 0 || p >= perm.length || seen[p]) {
                throw new IllegalArgumentException("Transpose: " + java.util.Arrays.toString(perm)
                        + " is not a permutation of 0.." + (perm.length - 1));
            }
            seen[p] = true;
        }
        this.perm = perm.clone();
    }

    @Override
    public Tensor forward(Tensor... inputs) {
        Tensor x = singleInput(inputs);
        int[] p = perm;
        if (p.length == 0) {
            p = new int[x.rank()];
            for (int i = 0; i < p.length; i++) {
                p[i] = p.length - 1 - i;
            }
        } else if (p.length != x.rank()) {
            throw new IllegalArgumentException("Transpose " + java.util.Arrays.toString(perm) + " needs an input of "
                    + "rank " + perm.length + ", got " + x.shape());
        }
        return x.permute(p);
    }

    /** The permutation; empty for "reverse the axes". */
    public int[] perm() {
        return perm.clone();
    }
}
