package io.jqi.onnx.export;

import io.jqi.onnx.proto.DataType;
import io.jqi.onnx.proto.OnnxAttribute;
import io.jqi.onnx.proto.OnnxNode;
import io.jqi.onnx.proto.OnnxTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects the nodes and initializers of one ONNX graph under unique names. Names come from jqi's node names so that
 * an exported graph reads like the model it came from; a suffix keeps them unique.
 */
final class GraphWriter {
    private final List<OnnxNode> nodes = new ArrayList<>();
    private final List<OnnxTensor> initializers = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    /** Reserves {@code base} (with characters outside {@code [A-Za-z0-9_]} replaced), or {@code base_2}, ... */
    String unique(String base) {
        String clean = base.replaceAll("[^A-Za-z0-9_]", "_");
        String name = clean;
        for (int i = 2; !names.add(name); i++) {
            name = clean + "_" + i;
        }
        return name;
    }

    /** Adds a node of the default domain with one output named after {@code hint}; returns the output's name. */
    String node(String opType, String hint, List<String> inputs, OnnxAttribute... attributes) {
        return node(opType, "", hint, inputs, attributes);
    }

    /** Adds a node of {@code domain} with one output named after {@code hint}; returns the output's name. */
    String node(String opType, String domain, String hint, List<String> inputs, OnnxAttribute... attributes) {
        String output = unique(hint);
        nodes.add(new OnnxNode(output + "_" + opType, opType, domain, List.copyOf(inputs), List.of(output),
                List.of(attributes)));
        return output;
    }

    /** Adds a node of the default domain whose output is exactly {@code output}, reserved with {@link #unique}. */
    void nodeWithOutput(String opType, String output, List<String> inputs) {
        nodes.add(new OnnxNode(output + "_" + opType, opType, "", List.copyOf(inputs), List.of(output), List.of()));
    }

    /** Adds {@code tensor} as an initializer under a unique name after {@code hint}; returns the name. */
    String initializer(String hint, TensorFactory tensor) {
        String name = unique(hint);
        initializers.add(tensor.named(name));
        return name;
    }

    /** A float32 initializer. */
    String floats(String hint, long[] dims, float[] values) {
        return initializer(hint, name -> OnnxTensor.ofFloats(name, dims, values));
    }

    /** An int64 initializer (shapes, axes). */
    String longs(String hint, long[] dims, long[] values) {
        return initializer(hint, name -> OnnxTensor.ofInt64(name, dims, values));
    }

    /** An integer initializer of a QDQ storage type. */
    String integers(String hint, QdqType type, long[] dims, int[] values) {
        return initializer(hint, name -> integerTensor(name, type, dims, values));
    }

    /**
     * A {@code Constant} node holding {@code values} (float32): the reference feeds custom-op parameters this way
     * rather than as initializers (docs/quantizer-contract.md#mctq-export).
     */
    String constant(String hint, long[] dims, float[] values) {
        String output = unique(hint);
        nodes.add(new OnnxNode(output + "_Constant", "Constant", "", List.of(), List.of(output),
                List.of(OnnxAttribute.ofTensor("value", OnnxTensor.ofFloats(output, dims, values)))));
        return output;
    }

    List<OnnxNode> nodes() {
        return List.copyOf(nodes);
    }

    List<OnnxTensor> initializers() {
        return List.copyOf(initializers);
    }

    /** Makes the tensor once its unique name is known. */
    @FunctionalInterface
    interface TensorFactory {
        OnnxTensor named(String name);
    }

    /** {@code values} (each within the type's range) as a tensor of {@code type}. */
    static OnnxTensor integerTensor(String name, QdqType type, long[] dims, int[] values) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] < type.min() || values[i] > type.max()) {
                throw new IllegalArgumentException("value " + values[i] + " at " + i + " does not fit " + type);
            }
        }
        return switch (type) {
            case INT4 -> OnnxTensor.ofInt4(name, dims, bytes(values));
            case UINT4 -> OnnxTensor.ofUint4(name, dims, bytes(values));
            case INT8 -> OnnxTensor.ofInt8(name, dims, bytes(values));
            case UINT8 -> OnnxTensor.ofUint8(name, dims, bytes(values));
            case INT16 -> new OnnxTensor(name, DataType.INT16, dims.clone(), shorts(values));
            case UINT16 -> new OnnxTensor(name, DataType.UINT16, dims.clone(), shorts(values));
        };
    }

    /** The low byte of each value: two's complement for int8, the plain value for uint8 and the 4-bit types. */
    private static byte[] bytes(int[] values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    /** Little-endian 16-bit words; uint16 values above 32767 keep their bit pattern. */
    private static byte[] shorts(int[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        Arrays.stream(values).forEach(v -> b.putShort((short) v));
        return b.array();
    }
}
