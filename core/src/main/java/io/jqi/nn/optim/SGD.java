package io.jqi.nn.optim;

import io.jqi.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay; PyTorch's
 * {@code torch.optim.SGD} with {@code dampening=0}. For each parameter {@code p} with gradient {@code g}, step t:
 *
 * <pre>
 * g = g + weightDecay * p
 * if momentum != 0:
 *     b = g                       (t = 1)
 *     b = momentum * b + g        (t > 1)
 *     g = nesterov ? g + momentum * b : b
 * p = p - lr * g
 * </pre>
 */
public final class SGD extends Optimizer {
    private final double momentum;
    private final boolean nesterov;
    private final double weightDecay;
    private final Tensor[] buffers;

    /** Plain SGD: no momentum, no weight decay. */
    public SGD(List<Tensor> parameters, double lr) {
        this(parameters, lr, 0, false, 0);
    }

    public SGD(List<Tensor> parameters, double lr, double momentum, boolean nesterov, double weightDecay) {
        super(parameters, lr);
        require(momentum >= 0 && momentum < Double.POSITIVE_INFINITY, "momentum must be finite and >= 0, got "
                + momentum);
        require(weightDecay >= 0 && weightDecay < Double.POSITIVE_INFINITY, "weightDecay must be finite and >= 0, got "
                + weightDecay);
        require(!nesterov || momentum > 0, "Nesterov momentum needs momentum > 0");
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
        this.buffers = new Tensor[parameters.size()];
    }

    @Override
    protected void update(int index, Tensor parameter, Tensor grad) {
        Tensor g = weightDecay != 0 ? grad.add(parameter.mul((float) weightDecay)) : grad;
        if (momentum != 0) {
            Tensor b = buffers[index];
            b = b == null ? g.detach() : b.mul((float) momentum).add(g);
            buffers[index] = b;
            g = nesterov ? g.add(b.mul((float) momentum)) : b;
        }
        parameter.addInPlace((float) -lr(), g);
    }

    @Override
    protected Map<String, Tensor> state(int index) {
        return buffers[index] == null ? Map.of() : Map.of("momentum_buffer", buffers[index]);
    }

    @Override
    protected void restore(int index, Map<String, Tensor> state) {
        Tensor b = state.get("momentum_buffer");
        buffers[index] = b == null ? null : b.detach().to(parameter(index).backend());
    }

    @Override
    protected Set<String> stateNames() {
        return Set.of("momentum_buffer");
    }

    public double momentum() {
        return momentum;
    }

    public boolean nesterov() {
        return nesterov;
    }

    public double weightDecay() {
        return weightDecay;
    }
}
