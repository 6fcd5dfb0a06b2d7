package io.jqi.nn.optim;

/**
 * Multiplies the learning rate by {@code gamma} every {@code stepSize} epochs:
 * {@code lr = base * gamma^floor(epoch / stepSize)}.
 */
public final class StepLR extends LrScheduler {
    private final int stepSize;
    private final double gamma;

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        require(stepSize > 0, "stepSize must be positive, got " + stepSize);
        require(gamma >= 0 && gamma < Double.POSITIVE_INFINITY, "gamma must be finite and >= 0, got " + gamma);
        this.stepSize = stepSize;
        this.gamma = gamma;
    }

    @Override
    protected double lrAt(int epoch) {
        return baseLr() * Math.pow(gamma, epoch / stepSize);
    }

    public int stepSize() {
        return stepSize;
    }

    public double gamma() {
        return gamma;
    }
}
