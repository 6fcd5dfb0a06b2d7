package io.jqi.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.nn.BatchNorm;
import io.jqi.nn.Conv2D;
import io.jqi.nn.Dense;
import io.jqi.nn.Flatten;
import io.jqi.nn.LeakyReLU;
import io.jqi.nn.GraphModel;
import io.jqi.nn.MaxPool2D;
import io.jqi.nn.Module;
import io.jqi.nn.ReLU;
import io.jqi.nn.Sequential;
import io.jqi.ptq.NodePlan;
import io.jqi.ptq.Ptq;
import io.jqi.ptq.PtqConfig;
import io.jqi.ptq.QuantizationPlan;
import io.jqi.ptq.TargetPlatform;
import io.jqi.qat.Qat;
import io.jqi.qat.QatConfig;
import io.jqi.qat.mixed.MixedPrecisionSettings;
import io.jqi.qat.mixed.WeightsMemoryBudget;
import io.jqi.quant.registry.QuantizerRegistry;
import io.jqi.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Data-parallel PTQ on an embedded Spark, {@code local[2]}: the single process's plan, bit for bit. */
class SparkPtqTest {
    private static final int[] SHAPE = {1, 10, 10};
    private static final TargetPlatform PLATFORM = TargetPlatform.defaultPlatform();
    /** PTQ's defaults, bias correction on: the per-channel means are folded too. */
    private static final QatConfig CONFIG = QatConfig.defaults();

    private static JavaSparkContext spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("local[2]", "jqi-spark-test");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Module model() {
        Random random = new Random(3);
        return new Sequential(new Conv2D(1, 4, 3, 1, 1, random), new BatchNorm(4), new ReLU(), new MaxPool2D(2),
                new Conv2D(4, 6, 3, 1, 1, random), new ReLU(), new Flatten(), new Dense(6 * 5 * 5, 3, true, random));
    }

    /** 61 examples whose scale grows along the data, so that the order of the batches matters. */
    private static List<float[]> examples() {
        Random random = new Random(9);
        List<float[]> examples = new ArrayList<>();
        for (int i = 0; i < 61; i++) {
            float[] e = new float[100];
            for (int j = 0; j < e.length; j++) {
                e[j] = (float) random.nextGaussian() * (1 + i / 8f);
            }
            examples.add(e);
        }
        return examples;
    }

    private static List<String> parameters(QuantizationPlan plan) {
        List<String> all = new ArrayList<>();
        for (NodePlan n : plan.nodes()) {
            all.add(n.ref().name() + " " + n.weights() + " " + n.activation());
        }
        return all;
    }

    private static float[] outputs(Module model, Tensor x) {
        model.eval();
        try (var ignored = Tensor.noGrad()) {
            return model.forward(x).toFloatArray();
        }
    }

    @Test
    void distributedPtqGivesTheSingleProcessPlanAndQatModelBitForBit() {
        List<float[]> examples = examples();
        // Three partitions for eight batches of 8 (the last of 5): batches straddle partitions.
        JavaRDD<float[]> rdd = spark.parallelize(examples, 3);
        List<Tensor> batches = SparkPtq.batches(examples, SHAPE, 8);

        QuantizationPlan distributed = SparkPtq.analyze(rdd, SHAPE, 8, model(), CONFIG, PLATFORM);
        GraphModel single = Qat.init(model(), batches, CONFIG, PLATFORM);

        assertEquals(8, batches.size());
        assertEquals(parameters(Ptq.analyze(model(), batches, PLATFORM, CONFIG.ptq(), CONFIG)),
                parameters(distributed));
        GraphModel fromSpark = Qat.init(distributed, CONFIG, QuantizerRegistry.global());
        for (Tensor x : List.of(batches.get(0), batches.get(7))) {
            assertArrayEquals(outputs(single, x), outputs(fromSpark, x), 0f, "the QAT models' outputs");
        }
    }

    @Test
    void aShiftNegativeCorrectionTakesASecondDistributedPassAndGivesTheSingleProcessPlan() {
        // LeakyReLU(0.01) before a padded convolution: the correction shifts it, and the statistics are taken again
        // through the corrected graph, which every executor rebuilds from the first pass's summaries.
        Random random = new Random(4);
        Module leaky = new Sequential(new Conv2D(1, 6, 3, 1, 0, random), new LeakyReLU(0.01f),
                new Conv2D(6, 6, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, false,
                        random), new ReLU());
        QatConfig snc = QatConfig.builder().ptq(PtqConfig.defaults().withShiftNegativeCorrection(true)).build();
        List<float[]> examples = examples();
        List<Tensor> batches = SparkPtq.batches(examples, SHAPE, 8);

        List<String> single = parameters(Ptq.analyze(leaky, batches, PLATFORM, snc.ptq(), snc));
        List<String> distributed = parameters(SparkPtq.analyze(spark.parallelize(examples, 3), SHAPE, 8, leaky, snc,
                PLATFORM));

        assertTrue(single.stream().anyMatch(p -> p.contains("shift")), "the correction shifted a node");
        assertEquals(single, distributed);
    }

    @Test
    void aRunOnOtherPartitionsGivesTheSamePlan() {
        List<float[]> examples = examples();
        assertEquals(parameters(SparkPtq.analyze(spark.parallelize(examples, 2), SHAPE, 8, model(), CONFIG, PLATFORM)),
                parameters(SparkPtq.analyze(spark.parallelize(examples, 5), SHAPE, 8, model(), CONFIG, PLATFORM)));
    }

    @Test
    void anExampleOfTheWrongSizeIsAClearError() {
        List<float[]> examples = new ArrayList<>(examples());
        examples.set(17, new float[99]);
        SparkException e = assertThrows(SparkException.class,
                () -> SparkPtq.analyze(spark.parallelize(examples, 2), SHAPE, 8, model(), CONFIG, PLATFORM));
        assertTrue(e.getMessage().contains("An example has 99 values where the example shape [1, 10, 10] needs 100"),
                e.getMessage());
    }

    @Test
    void aMixedPrecisionSearchIsRefusedWithTheReason() {
        QatConfig mixed = CONFIG.withMixedPrecision(
                new MixedPrecisionSettings(WeightsMemoryBudget.relativeTo8Bits(0.5), null), QuantizerRegistry.global());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkPtq.analyze(spark.parallelize(examples(), 2), SHAPE, 8, model(), mixed, PLATFORM));
        assertTrue(e.getMessage().contains("mixed-precision search"), e.getMessage());
    }

    @Test
    void aBatchSizeBelowOneIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkPtq.batches(examples(), SHAPE, 0));
        assertTrue(e.getMessage().contains("batch size"), e.getMessage());
    }
}
