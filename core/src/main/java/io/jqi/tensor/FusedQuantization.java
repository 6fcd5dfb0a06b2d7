package io.jqi.tensor;

import io.jqi.quant.ChannelLayout;

/**
 * A trainable quantizer as one autograd node on a backend with fused quantizer kernels: one forward call, and one
 * backward call that writes dx and reduces the parameter gradients on the device, in place of the composed
 * path's dozen element-wise ops and their full-size temporaries.
 */
final class FusedQuantization {
    private FusedQuantization() {
    }

    /** Whether {@code x}'s backend fuses quantizers and every parameter lives on x's device. */
    static boolean available(Tensor x, Tensor... parameters) {
        for (Tensor p : parameters) {
            if (p.device() != x.device()) {
                return false;
            }
        }
        return x.backend().supportsFusedQuantizers();
    }

    static Tensor apply(FusedQuantizer q, Tensor x, ChannelLayout layout, Tensor... parameters) {
        if (parameters.length != q.parameterCount()) {
            throw new IllegalArgumentException("a " + q.grid() + " quantizer takes " + q.parameterCount()
                    + " parameter tensors, got " + parameters.length);
        }
        if (layout.size() != x.numel()) {
            throw new IllegalArgumentException("layout " + layout + " does not cover the input's " + x.numel()
                    + " elements");
        }
        Storage[] storages = new Storage[parameters.length];
        for (int i = 0; i < parameters.length; i++) {
            Tensor p = parameters[i];
            if (p.numel() != layout.channels()) {
                throw new IllegalArgumentException("The quantizer has " + p.numel() + " parameters per tensor but "
                        + "the input has " + layout.channels() + " channels");
            }
            Elementwise.requireSameDevice(x, p);
            storages[i] = p.storage();
        }
        Backend backend = x.backend();
        Storage y = backend.fusedQuantize(q, x.storage(), layout, storages);
        Tensor[] inputs = new Tensor[parameters.length + 1];
        inputs[0] = x;
        System.arraycopy(parameters, 0, inputs, 1, parameters.length);
        return Tensor.result(x.shape(), y, g -> {
            boolean trains = false;
            for (Tensor p : parameters) {
                trains |= p.requiresGrad();
            }
            Storage[] grads = backend.fusedQuantizeBackward(q, x.storage(), g.storage(), layout, storages, trains);
            Tensor[] out = new Tensor[inputs.length];
            out[0] = Tensor.result(x.shape(), grads[0], null);
            for (int i = 1; i < inputs.length; i++) {
                out[i] = grads[i] == null ? null : Tensor.result(parameters[i - 1].shape(), grads[i], null);
            }
            return out;
        }, inputs);
    }
}
