package io.jqi.tensor;

/** Training losses. */
public final class Losses {
    private Losses() {
    }

    /**
     * Mean cross-entropy of {@code logits [N, C]} against class indexes {@code labels[N]}, computed from
     * log-softmax so that large logits cannot overflow.
     */
    public static Tensor crossEntropy(Tensor logits, int[] labels) {
        if (logits.rank() != 2) {
            throw new IllegalArgumentException("crossEntropy expects logits of shape [N, C], got " + logits.shape());
        }
        int n = logits.shape().dim(0);
        int c = logits.shape().dim(1);
        if (labels.length != n) {
            throw new IllegalArgumentException("crossEntropy got " + n + " rows of logits but " + labels.length
                    + " labels");
        }
        float[] oneHot = new float[n * c];
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= c) {
                throw new IllegalArgumentException("label " + labels[i] + " at row " + i + " is outside [0, " + c + ")");
            }
            oneHot[i * c + labels[i]] = 1f;
        }
        Tensor target = Tensor.ofStorage(logits.shape(), logits.backend().fromHost(oneHot));
        return logits.logSoftmax(1).mul(target).sum().mul(-1f / n);
    }

    /** Mean squared error. */
    public static Tensor mse(Tensor prediction, Tensor target) {
        prediction.requireSameShape("mse target", target);
        Tensor d = prediction.sub(target);
        return d.mul(d).mean();
    }
}
