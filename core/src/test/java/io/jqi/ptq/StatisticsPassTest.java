package io.jqi.ptq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.nn.BatchNorm;
import io.jqi.nn.Conv2D;
import io.jqi.nn.Dense;
import io.jqi.nn.Flatten;
import io.jqi.nn.LeakyReLU;
import io.jqi.nn.MaxPool2D;
import io.jqi.nn.Module;
import io.jqi.nn.ReLU;
import io.jqi.nn.Sequential;
import io.jqi.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The statistics pass split for data-parallel runs: batches summarized apart, by passes made from copies of the
 * model, on other threads and through Java serialization, then folded in batch order, give the plan of a single
 * pass over the same batches, bit for bit.
 */
class StatisticsPassTest {
    private static final TargetPlatform PLATFORM = TargetPlatform.defaultPlatform();
    /** Bias correction on, so the per-channel sums are part of what must agree. */
    private static final PtqConfig CONFIG = PtqConfig.defaults().withWeightsBiasCorrection(true);

    /** The same model each call: a worker builds its own copy. */
    private static Module model() {
        Random random = new Random(3);
        return new Sequential(new Conv2D(1, 4, 3, 1, 1, random), new BatchNorm(4), new ReLU(), new MaxPool2D(2),
                new Conv2D(4, 6, 3, 1, 1, random), new ReLU(), new Flatten(), new Dense(6 * 4 * 4, 3, true, random));
    }

    private static List<Tensor> batches(int count) {
        Random random = new Random(11);
        List<Tensor> batches = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            // Ranges that differ from batch to batch, so that the histogram fold depends on the order.
            batches.add(Tensor.randn(random, 5, 1, 8, 8).mul(Tensor.scalar(0.5f + b)));
        }
        return batches;
    }

    private static List<String> parameters(QuantizationPlan plan) {
        List<String> all = new ArrayList<>();
        for (NodePlan n : plan.nodes()) {
            all.add(n.ref().name() + " " + n.weights() + " " + n.activation());
        }
        return all;
    }

    private static float[] outputs(QuantizationPlan plan, Tensor x) {
        try (var ignored = Tensor.noGrad()) {
            Module built = plan.build(new InferableQuantizerSource());
            built.eval();
            return built.forward(x).toFloatArray();
        }
    }

    private static byte[] serialized(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    private static Object deserialized(byte[] bytes) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return in.readObject();
        }
    }

    @Test
    void batchesSummarizedApartAndFoldedInOrderGiveTheSinglePassPlanBitForBit() throws Exception {
        List<Tensor> batches = batches(6);
        QuantizationPlan single = Ptq.analyze(model(), batches, PLATFORM, CONFIG, QuantizationRules.NONE);

        // Two workers, each with its own model copy and pass, take every other batch, last batch first; the
        // summaries travel through Java serialization, as they do between machines.
        byte[][] summaries = new byte[batches.size()][];
        ExecutorService workers = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int worker = w;
                done.add(workers.submit(() -> {
                    StatisticsPass pass = Ptq.statisticsPass(model(), PLATFORM, CONFIG, QuantizationRules.NONE);
                    for (int b = batches.size() - 1 - worker; b >= 0; b -= 2) {
                        summaries[b] = serialized(pass.summarize(batches.get(b)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            workers.shutdown();
        }
        List<BatchSummary> inOrder = new ArrayList<>();
        for (byte[] s : summaries) {
            inOrder.add((BatchSummary) deserialized(s));
        }
        QuantizationPlan folded = Ptq.fromSummaries(model(), inOrder, PLATFORM, CONFIG, QuantizationRules.NONE);

        assertEquals(parameters(single), parameters(folded));
        Tensor x = batches.get(0);
        assertArrayEquals(outputs(single, x), outputs(folded, x), 0f, "the quantized, bias-corrected model's outputs");
    }

    @Test
    void theFoldIsInBatchOrder() {
        // The histogram merge re-bins onto the range seen so far, so the order is part of the result: the summaries
        // folded in order give the single pass's plan, and in another order other histograms.
        List<Tensor> batches = batches(4);
        StatisticsPass pass = Ptq.statisticsPass(model(), PLATFORM, CONFIG, QuantizationRules.NONE);
        List<BatchSummary> summaries = new ArrayList<>();
        batches.forEach(b -> summaries.add(pass.summarize(b)));
        List<BatchSummary> rotated = new ArrayList<>(summaries.subList(2, 4));
        rotated.addAll(summaries.subList(0, 2));

        assertEquals(parameters(Ptq.analyze(model(), batches, PLATFORM, CONFIG, QuantizationRules.NONE)),
                parameters(Ptq.fromSummaries(model(), summaries, PLATFORM, CONFIG, QuantizationRules.NONE)));
        String input = summaries.get(0).values().keySet().iterator().next();
        assertFalse(Arrays.equals(pass.fold(summaries).get(input).histogram().counts(),
                pass.fold(rotated).get(input).histogram().counts()), "the order should matter for this data");
    }

    @Test
    void summariesOfAnotherModelAreAClearError() {
        Random random = new Random(3);
        Module other = new Sequential(new Dense(64, 3, true, random), new ReLU());
        List<BatchSummary> summaries = List.of(Ptq.statisticsPass(other, PLATFORM, CONFIG, QuantizationRules.NONE)
                .summarize(Tensor.randn(random, 2, 64)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ptq.fromSummaries(model(), summaries, PLATFORM, CONFIG, QuantizationRules.NONE));
        assertTrue(e.getMessage().contains("same model, platform and config"), e.getMessage());
    }

    @Test
    void noSummariesIsTheEmptyDatasetsError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ptq.fromSummaries(model(), List.of(), PLATFORM, CONFIG, QuantizationRules.NONE));
        assertTrue(e.getMessage().contains("representative dataset is empty"), e.getMessage());
    }

    /** LeakyReLU(0.01)'s small negative tail feeding a padded convolution: the correction shifts it. */
    private static Module leaky() {
        Random random = new Random(4);
        return new Sequential(new Conv2D(1, 6, 3, 1, 0, random), new LeakyReLU(0.01f),
                new Conv2D(6, 6, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, false,
                        random), new ReLU());
    }

    private static final PtqConfig SNC = PtqConfig.defaults().withShiftNegativeCorrection(true);

    private static List<Tensor> leakyData() {
        Random random = new Random(7);
        return List.of(Tensor.randn(random, 8, 1, 10, 10).mul(Tensor.scalar(3f)),
                Tensor.randn(random, 8, 1, 10, 10).mul(Tensor.scalar(2f)));
    }

    @Test
    void aCorrectedGraphsSecondPassFoldedFromSummariesGivesTheSinglePassPlanBitForBit() {
        List<Tensor> batches = leakyData();
        StatisticsPass pass = Ptq.statisticsPass(leaky(), PLATFORM, SNC, QuantizationRules.NONE);
        List<BatchSummary> first = new ArrayList<>();
        batches.forEach(b -> first.add(pass.summarize(b)));
        // A worker rebuilds the corrected graph from its own model copy and the first pass's summaries.
        StatisticsPass corrected = Ptq.correctedStatisticsPass(leaky(), PLATFORM, SNC, QuantizationRules.NONE, first);
        List<BatchSummary> second = new ArrayList<>();
        batches.forEach(b -> second.add(corrected.summarize(b)));

        QuantizationPlan single = Ptq.analyze(leaky(), batches, PLATFORM, SNC, QuantizationRules.NONE);
        QuantizationPlan folded = Ptq.fromSummaries(leaky(), new PtqSummaries(first, second), PLATFORM, SNC,
                QuantizationRules.NONE);

        assertTrue(parameters(single).stream().anyMatch(p -> p.contains("shift")), "the correction shifted a node");
        assertEquals(parameters(single), parameters(folded));
        assertEquals(parameters(single), parameters(Ptq.fromSummaries(leaky(),
                Ptq.summaries(leaky(), batches, PLATFORM, SNC, QuantizationRules.NONE), PLATFORM, SNC,
                QuantizationRules.NONE)));
    }

    @Test
    void aCorrectedGraphWithoutItsSecondPassIsRefusedWithTheReason() {
        List<BatchSummary> first = List.of(Ptq.statisticsPass(leaky(), PLATFORM, SNC, QuantizationRules.NONE)
                .summarize(leakyData().get(0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ptq.fromSummaries(leaky(), first, PLATFORM, SNC, QuantizationRules.NONE));
        assertTrue(e.getMessage().contains("Ptq.correctedStatisticsPass"), e.getMessage());
    }

    @Test
    void withoutACorrectionThereIsNoSecondPass() {
        List<BatchSummary> first = List.of(Ptq.statisticsPass(model(), PLATFORM, CONFIG, QuantizationRules.NONE)
                .summarize(batches(1).get(0)));
        assertNull(Ptq.correctedStatisticsPass(model(), PLATFORM, CONFIG, QuantizationRules.NONE, first));
    }
}
