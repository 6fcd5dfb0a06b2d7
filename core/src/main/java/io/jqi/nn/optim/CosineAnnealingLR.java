package io.jqi.nn.optim;

/**
 * Anneals the learning rate from its base value to {@code etaMin} over {@code tMax} epochs along a half cosine:
 * {@code lr = etaMin + (base - etaMin) * (1 + cos(pi * epoch / tMax)) / 2}, PyTorch's closed form without restarts.
 * Past {@code tMax} the cosine goes on, so the rate climbs back, as it does in PyTorch.
 */
public final class CosineAnnealingLR extends LrScheduler {
    private final int tMax;
    private final double etaMin;

    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        require(tMax > 0, "tMax must be positive, got " + tMax);
        require(etaMin >= 0 && etaMin < Double.POSITIVE_INFINITY, "etaMin must be finite and >= 0, got " + etaMin);
        this.tMax = tMax;
        this.etaMin = etaMin;
    }

    @Override
    protected double lrAt(int epoch) {
        return etaMin + (baseLr() - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }

    public int tMax() {
        return tMax;
    }

    public double etaMin() {
        return etaMin;
    }
}
