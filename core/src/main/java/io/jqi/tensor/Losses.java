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

    /**
     * Knowledge distillation's soft loss (Hinton et al., 2015): the Kullback-Leibler divergence from the teacher's
     * class distribution to the student's, both softened by {@code temperature}, summed over classes, averaged over
     * the {@code N} rows and multiplied by {@code temperature^2} so that its gradients keep their scale as the
     * temperature changes: {@code T^2 / N * sum_i sum_c p_ic (log p_ic - log q_ic)} with {@code p = softmax(t / T)}
     * and {@code q = softmax(s / T)}. PyTorch writes it
     * {@code kl_div(log_softmax(s / T), softmax(t / T), reduction="batchmean") * T * T}. The teacher's logits are a
     * target: no gradient flows into them.
     */
    public static Tensor distillation(Tensor studentLogits, Tensor teacherLogits, float temperature) {
        if (studentLogits.rank() != 2) {
            throw new IllegalArgumentException("distillation expects student logits of shape [N, C], got "
                    + studentLogits.shape());
        }
        studentLogits.requireSameShape("distillation teacher logits", teacherLogits);
        if (!(temperature > 0f) || !Float.isFinite(temperature)) {
            throw new IllegalArgumentException("distillation temperature must be a finite number above 0 but is "
                    + temperature + " (1 compares the plain distributions; 2 to 8 soften them)");
        }
        int n = studentLogits.shape().dim(0);
        Tensor teacherLog;
        try (GradMode.Scope ignored = GradMode.disabled()) {
            teacherLog = teacherLogits.mul(1f / temperature).logSoftmax(1);
        }
        Tensor teacher = teacherLog.exp();
        Tensor studentLog = studentLogits.mul(1f / temperature).logSoftmax(1);
        return teacher.mul(teacherLog.sub(studentLog)).sum().mul(temperature * temperature / n);
    }

    /** Mean squared error. */
    public static Tensor mse(Tensor prediction, Tensor target) {
        prediction.requireSameShape("mse target", target);
        Tensor d = prediction.sub(target);
        return d.mul(d).mean();
    }
}
