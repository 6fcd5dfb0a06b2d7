package io.jqi.onnx.proto;

/**
 * A file or byte sequence that is not a valid ONNX protobuf of the subset jqi reads, or one that breaks one of the
 * reader's hard limits. The message names the source (usually the file) and what is wrong, so the user can tell a
 * corrupt file from an unsupported feature.
 */
public final class OnnxFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OnnxFormatException(String message) {
        super(message);
    }

    public OnnxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
