package io.jqi.cli;

import io.jqi.json.QuantizerJson;
import io.jqi.json.TensorJson;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.tensor.Tensor;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jqi fakequant}: the conformance entry point, one serialized quantizer applied to one JSON tensor. */
@Command(name = "fakequant", mixinStandardHelpOptions = true, versionProvider = Jqi.Version.class,
        description = {"Fake-quantizes a tensor with a serialized inferable quantizer.",
            "Prints the result as nested JSON arrays of the input's shape, each number the exact float32 value in "
                + "shortest round-trip form (NaN and infinities as the strings \"NaN\", \"Infinity\", "
                + "\"-Infinity\"). Standard output carries only that JSON."})
final class FakeQuantCommand implements Callable<Integer> {
    @Option(names = "--quantizer", required = true, paramLabel = "Q.json",
            description = "A quantizer: {\"class_name\": ..., \"config\": {...}, \"format_version\": 1}.")
    Path quantizer;

    @Option(names = "--input", required = true, paramLabel = "X.json",
            description = "A JSON number or nested arrays of numbers (rank 0 to 6).")
    Path input;

    @Option(names = "--output", paramLabel = "Y.json",
            description = "Write the result here (atomically) instead of to standard output.")
    Path output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        InferableQuantizer q = QuantizerJson.readFile(quantizer);
        Tensor x = TensorJson.readFile(input);
        Tensor y = q.quantize(x);
        if (output != null) {
            TensorJson.writeFile(output, y);
        } else {
            spec.commandLine().getOut().println(TensorJson.write(y));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
