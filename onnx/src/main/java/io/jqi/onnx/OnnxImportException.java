package io.jqi.onnx;

/**
 * An ONNX model that is well formed but that jqi cannot import: an unsupported operator, attribute value, data type
 * or dynamic shape, or a graph that is not a valid DAG. The message names the node (its name and op type) and what to
 * change in the model.
 */
public final class OnnxImportException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OnnxImportException(String message) {
        super(message);
    }

    public OnnxImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
