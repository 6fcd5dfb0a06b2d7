package io.jqi.qat.mixed;

import io.jqi.nn.GraphModel;
import io.jqi.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The memory a model's quantized activations take per example at the widths they have, counted from its quantizers:
 * what an {@link ActivationMemoryBudget} limits. It is the most bits that the tensors written by activation quantizers
 * take at once while the model runs its nodes in order, each held from the quantizer that writes it to the last node
 * that reads it ({@link ActivationTensors}). Values that stay float, and the float values that ops compute from
 * quantized ones without quantizing them, are outside it, as float layers are outside the weights memory.
 *
 * @param bits the memory in bits per example
 * @param eightBitBits the same tensors' memory with every one at 8 bits
 * @param bitsPerValue each quantized value's width, keyed by the node whose output it quantizes, in the model's order
 */
public record ActivationMemory(long bits, long eightBitBits, Map<String, Integer> bitsPerValue) {
    public ActivationMemory {
        bitsPerValue = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(bitsPerValue));
    }

    /**
     * Counts the quantized activations of {@code model}, a finalized or a QAT model, sized by one forward pass over
     * {@code example} (a batch of inputs of the model's shape, of any size).
     */
    public static ActivationMemory of(GraphModel model, Tensor example) {
        ActivationTensors tensors = ActivationTensors.of(model, example);
        int[] bits = new int[tensors.values().size()];
        Map<String, Integer> perValue = new LinkedHashMap<>();
        for (int v = 0; v < bits.length; v++) {
            String value = tensors.values().get(v);
            bits[v] = QuantizedKernel.widthOf(tensors.quantizers().get(v), "value '" + value + "' has an activation "
                    + "quantizer");
            perValue.put(value, bits[v]);
        }
        int[] eight = new int[bits.length];
        Arrays.fill(eight, 8);
        return new ActivationMemory(tensors.heldBits(bits), tensors.heldBits(eight), perValue);
    }

    /** The memory as a fraction of the 8-bit memory, the unit of {@link ActivationMemoryBudget#relativeTo8Bits}. */
    public double relativeTo8Bits() {
        return eightBitBits == 0 ? 0 : (double) bits / eightBitBits;
    }
}
