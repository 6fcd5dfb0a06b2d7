package io.jqi.spark;

import io.jqi.models.BuiltInModels;
import io.jqi.nn.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Times data-parallel training steps on an embedded Spark (docs/spark.md#measured): the built-in cnn on 1x28x28
 * inputs, global batch 64, one epoch of {@code steps} steps, with 1 and 2 workers in alternation, {@code rounds} times.
 * Prints each run's seconds per step and the share of it worker 0 spent in the gradient exchange. Not a test:
 * {@code java -cp <spark test classpath> io.jqi.spark.StepTiming [steps] [rounds]}.
 */
public final class StepTiming {
    private StepTiming() {
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int batch = 64;
        int[] shape = {1, 28, 28};
        Random random = new Random(1);
        List<LabeledInput> examples = new ArrayList<>();
        for (int i = 0; i < steps * batch; i++) {
            float[] x = new float[28 * 28];
            for (int j = 0; j < x.length; j++) {
                x[j] = (float) random.nextGaussian();
            }
            examples.add(new LabeledInput(x, random.nextInt(10)));
        }
        Module model = BuiltInModels.create("cnn", shape, 10, 0);
        JavaSparkContext spark = LocalSpark.start("local[2]", "jqi-steps");
        try {
            var rdd = spark.parallelize(examples, 2).cache();
            rdd.count();
            System.out.println("workers  s/step  exchange share  exchanged MB/step");
            for (int round = 0; round < rounds + 1; round++) {
                for (int workers : new int[] {1, 2}) {
                    SparkTraining.Result r = SparkTraining.train(rdd, shape, model,
                            new SparkTraining.Settings(workers, batch, 1, 1e-3, 0, false));
                    if (round > 0) {   // round 0 warms the JIT up
                        System.out.printf(Locale.ROOT, "%7d  %6.4f  %14.2f  %17.2f%n", workers,
                                r.trainSeconds() / steps, r.exchangeSeconds() / r.trainSeconds(),
                                r.exchangedBytes() / 1e6 / steps);
                    }
                }
            }
        } finally {
            spark.stop();
        }
    }
}
