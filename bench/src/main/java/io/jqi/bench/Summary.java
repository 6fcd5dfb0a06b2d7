package io.jqi.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Runs JMH with the usual command-line options, then prints the derived figures: GFLOP/s for the products,
 * GB/s (10^9 bytes, input read + output written) for the memory-bound benchmarks, and each of those as a ratio
 * to {@code ElementwiseBench.copy} when it ran in the same invocation. Throughput mode only.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.jqi.bench.Summary -f 1 -wi 3 -i 5</pre>
 */
public final class Summary {
    private Summary() {
    }

    private record Row(String name, String params, double opsPerSecond, double opsError, String unit,
            double perOp) {
        double rate() {
            return opsPerSecond * perOp / 1e9;
        }

        double rateError() {
            return opsError * perOp / 1e9;
        }
    }

    public static void main(String[] args) throws Exception {
        Collection<RunResult> results = new Runner(new CommandLineOptions(args)).run();
        List<Row> rows = new ArrayList<>();
        for (RunResult r : results) {
            BenchmarkParams p = r.getParams();
            Result<?> primary = r.getPrimaryResult();
            String bench = p.getBenchmark();
            String name = bench.substring(bench.lastIndexOf('.', bench.lastIndexOf('.') - 1) + 1);
            double perSecond = TimeUnit.SECONDS.toNanos(1) / (double) p.getTimeUnit().toNanos(1);
            if (!p.getMode().shortLabel().equals("thrpt")) {
                System.out.println("Summary: " + name + " ran in mode " + p.getMode() + "; derived figures need thrpt");
                continue;
            }
            double ops = primary.getScore() * perSecond;
            double err = Double.isNaN(primary.getScoreError()) ? 0 : primary.getScoreError() * perSecond;
            StringBuilder params = new StringBuilder();
            for (String key : p.getParamsKeys()) {
                params.append(params.length() == 0 ? "" : ",").append(key).append('=').append(p.getParam(key));
            }
            rows.add(work(name, p, params.toString(), ops, err));
        }
        Row copy = rows.stream().filter(row -> row.name().equals("ElementwiseBench.copy")).findFirst().orElse(null);
        System.out.println();
        System.out.println("Derived figures (error: JMH's 99.9% interval over the measured iterations)");
        System.out.printf(Locale.ROOT, "%-40s %-22s %16s %24s %10s%n", "benchmark", "params", "ops/s",
                "rate", "vs copy");
        for (Row row : rows) {
            String ratio = copy != null && row.unit().equals("GB/s")
                    ? String.format(Locale.ROOT, "%.2f", row.rate() / copy.rate()) : "";
            System.out.printf(Locale.ROOT, "%-40s %-22s %16s %24s %10s%n", row.name(), row.params(),
                    String.format(Locale.ROOT, "%.3f ± %.3f", row.opsPerSecond(), row.opsError()),
                    row.perOp() == 0 ? "" : String.format(Locale.ROOT, "%.2f ± %.2f %s", row.rate(), row.rateError(),
                            row.unit()), ratio);
        }
    }

    private static Row work(String name, BenchmarkParams p, String params, double ops, double err) {
        switch (name) {
            case "GemmBench.matmul":
            case "NaiveGemmBench.matmul": {
                double n = Integer.parseInt(p.getParam("n"));
                return new Row(name, params, ops, err, "GFLOP/s", 2 * n * n * n);
            }
            case "SmallGemmBench.matmul": {
                int[] d = SmallGemmBench.dims(p.getParam("shape"));
                return new Row(name, params, ops, err, "GFLOP/s", 2.0 * d[0] * d[1] * d[2] * d[3]);
            }
            case "ConvBench.conv2d":
                return new Row(name, params, ops, err, "GFLOP/s", ConvBench.flops(p.getParam("layer")));
            case "TrainStepBench.run":
                // rate() reports giga-units per second; scaling by 1e9 makes it images per second.
                return new Row(name, params, ops, err, "images/s", TrainStepBench.BATCH * 1e9);
            case "ElementwiseBench.copy":
                return new Row(name, params, ops, err, "GB/s", 2.0 * Float.BYTES * ElementwiseBench.N);
            case "ElementwiseBench.copyTwoThreads":
                return new Row(name, params, ops, err, "GB/s", 2.0 * Float.BYTES * ElementwiseBench.N);
            case "ElementwiseBench.add":
                return new Row(name, params, ops, err, "GB/s", 3.0 * Float.BYTES * ElementwiseBench.N);
            case "FakeQuantBench.weightsPerChannel":
                return new Row(name, params, ops, err, "GB/s",
                        2.0 * Float.BYTES * FakeQuantBench.CHANNELS * FakeQuantBench.CHANNEL_SIZE);
            case "FakeQuantBench.activationsForwardBackward":
                return new Row(name, params, ops, err, "GB/s", 5.0 * Float.BYTES * FakeQuantBench.ACTIVATIONS);
            case "FakeQuantBench.activationsPerTensor":
                return new Row(name, params, ops, err, "GB/s", 2.0 * Float.BYTES * FakeQuantBench.ACTIVATIONS);
            default:
                return new Row(name, params, ops, err, "", 0);
        }
    }
}
