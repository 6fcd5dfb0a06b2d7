package io.jqi.onnx.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.jqi.onnx.proto.OnnxCodec;
import io.jqi.onnx.proto.OnnxModel;
import io.jqi.tensor.Shape;
import io.jqi.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * Runs an exported model in ONNX Runtime for Java, from the bytes jqi writes (so the codec is part of what is
 * checked), with the runtime's default graph optimizations, as a user's session would have them.
 */
final class OrtRunner implements AutoCloseable {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    private final OrtSession session;

    OrtRunner(OnnxModel model) throws OrtException {
        this(model, OrtSession.SessionOptions.OptLevel.ALL_OPT);
    }

    OrtRunner(OnnxModel model, OrtSession.SessionOptions.OptLevel level) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setOptimizationLevel(level);
            this.session = ENV.createSession(OnnxCodec.write(model), options);
        }
    }

    /** Opens a session on {@code model}, which is all ORT needs to accept or refuse it. */
    static void load(OnnxModel model) throws OrtException {
        try (OrtRunner ignored = new OrtRunner(model)) {
            // the session's creation is the check
        }
    }

    /** The model's single output for the single input {@code x}. */
    Tensor run(Tensor x) throws OrtException {
        long[] shape = new long[x.rank()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = x.shape().dim(i);
        }
        String input = session.getInputNames().iterator().next();
        try (OnnxTensor in = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(x.toFloatArray()), shape);
                OrtSession.Result result = session.run(Map.of(input, in))) {
            return toTensor((OnnxTensor) result.get(0));
        }
    }

    /** The single output of a model without inputs (a weight and its DequantizeLinear). */
    Tensor runWithoutInputs() throws OrtException {
        try (OrtSession.Result result = session.run(Map.of())) {
            return toTensor((OnnxTensor) result.get(0));
        }
    }

    private static Tensor toTensor(OnnxTensor out) throws OrtException {
        long[] dims = out.getInfo().getShape();
        int[] intDims = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            intDims[i] = Math.toIntExact(dims[i]);
        }
        FloatBuffer buffer = out.getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return Tensor.of(values, Shape.of(intDims));
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
