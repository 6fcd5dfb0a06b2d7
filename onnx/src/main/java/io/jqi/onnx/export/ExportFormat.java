package io.jqi.onnx.export;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The two ONNX forms of a finalized model (docs/onnx.md). */
public enum ExportFormat {
    /**
     * Standard {@code QuantizeLinear}/{@code DequantizeLinear} pairs that any ONNX runtime executes: integer weight
     * initializers, a {@code Clip} on the integer tensor for activations narrower than their storage type. Only
     * quantizers whose arithmetic these operators reproduce exactly (half-even affine grids) can be written.
     */
    QDQ("onnx-qdq"),
    /**
     * The reference's custom-op form: float weights and activations feeding {@code mct_quantizers} nodes (spec
     * 10.2). Every inferable quantizer kind, LUT included; runtimes need the custom-op kernels to execute it.
     */
    MCTQ("onnx-mctq");

    private final String cliName;

    ExportFormat(String cliName) {
        this.cliName = cliName;
    }

    /** The name {@code jqi export --format} takes. */
    public String cliName() {
        return cliName;
    }

    /** The format called {@code name} on the command line, or an error listing the choices. */
    public static ExportFormat fromCliName(String name) {
        for (ExportFormat f : values()) {
            if (f.cliName.equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("Unknown export format '" + name + "'; choose one of "
                + Arrays.stream(values()).map(ExportFormat::cliName).collect(Collectors.joining(", ")));
    }
}
