package io.jqi.qat.mixed;

import io.jqi.nn.GraphModel;
import io.jqi.nn.Module;
import io.jqi.ptq.QuantizationPlan;
import io.jqi.quant.FakeQuantizer;
import io.jqi.quant.wrap.ActivationQuantizationHolder;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tensors a model's activation quantizers write (the outputs of its {@link ActivationQuantizationHolder}s), their
 * values per example, and which of them are held at once while the model runs its nodes in order: the structure that
 * {@link ActivationMemory} counts and the mixed-precision search constrains.
 *
 * <p>A tensor is held from the holder that writes it to the last node that reads it, or to the end for a model output.
 * At every node, the held tensors form a cut; the activation memory is the largest cut's bits. Only cuts that no other
 * cut contains are kept, since a budget that holds for the larger holds for the smaller.
 *
 * @param values the quantized values, named after the node whose output they quantize, in the model's order
 * @param sizes each value's element count per example
 * @param quantizers each value's activation quantizer
 * @param cuts the indices of the values held at once, one array per maximal cut
 */
record ActivationTensors(List<String> values, long[] sizes, List<FakeQuantizer> quantizers, List<int[]> cuts) {

    /** The quantized values of {@code model}, sized by one forward pass over {@code example} (a batch of any size). */
    static ActivationTensors of(GraphModel model, Tensor example) {
        // In eval mode, so that batch norms neither use nor update batch statistics; every module's mode comes back,
        // parents first (train(on) sets a module's descendants too).
        Map<Module, Boolean> modes = new java.util.LinkedHashMap<>();
        model.namedModules().values().forEach(m -> modes.put(m, m.isTraining()));
        Map<String, Tensor> outputs;
        model.eval();
        try (var ignored = Tensor.noGrad()) {
            outputs = model.forwardEveryNode(example);
        } finally {
            modes.forEach(Module::train);
        }
        long batch = example.shape().dim(0);
        List<String> order = model.nodeNames();
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < order.size(); i++) {
            position.put(order.get(i), i);
        }
        List<String> holders = order.stream().filter(n -> model.node(n) instanceof ActivationQuantizationHolder)
                .toList();
        int[] first = new int[holders.size()];
        int[] last = new int[holders.size()];
        List<String> values = new ArrayList<>();
        long[] sizes = new long[holders.size()];
        List<FakeQuantizer> quantizers = new ArrayList<>();
        for (int h = 0; h < holders.size(); h++) {
            String holder = holders.get(h);
            first[h] = position.get(holder);
            last[h] = model.outputNames().contains(holder) ? order.size() : first[h];
            for (int i = first[h] + 1; i < order.size(); i++) {
                if (model.nodeInputs(order.get(i)).contains(holder)) {
                    last[h] = i;
                }
            }
            values.add(holder.endsWith(QuantizationPlan.HOLDER_SUFFIX)
                    ? holder.substring(0, holder.length() - QuantizationPlan.HOLDER_SUFFIX.length()) : holder);
            sizes[h] = outputs.get(holder).numel() / batch;
            quantizers.add(((ActivationQuantizationHolder) model.node(holder)).quantizer());
        }
        List<Set<Integer>> held = new ArrayList<>();
        for (int step = 0; step <= order.size(); step++) {
            Set<Integer> cut = new LinkedHashSet<>();
            for (int h = 0; h < holders.size(); h++) {
                if (first[h] <= step && step <= last[h]) {
                    cut.add(h);
                }
            }
            if (!cut.isEmpty() && held.stream().noneMatch(c -> c.containsAll(cut))) {
                held.removeIf(cut::containsAll);
                held.add(cut);
            }
        }
        List<int[]> cuts = held.stream().map(c -> c.stream().mapToInt(Integer::intValue).toArray()).toList();
        return new ActivationTensors(values, sizes, quantizers, cuts);
    }

    /** The largest cut's bits when value {@code v} takes {@code bits[v]}. */
    long heldBits(int[] bits) {
        long most = 0;
        for (int[] cut : cuts) {
            long sum = 0;
            for (int v : cut) {
                sum += sizes[v] * bits[v];
            }
            most = Math.max(most, sum);
        }
        return most;
    }
}
