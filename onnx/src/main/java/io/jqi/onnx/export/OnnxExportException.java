package io.jqi.onnx.export;

/**
 * A model that cannot be exported in the requested form: not finalized, a layer or quantizer the format cannot
 * express, or an input shape that does not fit. The message names the node and says what to do instead.
 */
public final class OnnxExportException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public OnnxExportException(String message) {
        super(message);
    }
}
