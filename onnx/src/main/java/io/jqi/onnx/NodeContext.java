package io.jqi.onnx;

import io.jqi.onnx.proto.AttributeType;
import io.jqi.onnx.proto.OnnxAttribute;
import io.jqi.onnx.proto.OnnxNode;
import io.jqi.onnx.proto.OnnxTensor;
import java.util.List;
import java.util.Set;

/**
 * One node being imported: its inputs resolved to constants or computed values, typed attribute access with ONNX's
 * defaults, and errors that name the node, its op type and what to change.
 */
final class NodeContext {
    /** An input: its ONNX value name ({@code ""} when omitted) and its value when it is a constant. */
    record Operand(String name, OnnxTensor constant) {
        boolean present() {
            return !name.isEmpty();
        }

        boolean isConstant() {
            return constant != null;
        }
    }

    final OnnxNode node;
    /** The model's default-domain opset. */
    final long opset;
    private final List<Operand> inputs;
    private final Set<String> consumed;
    private final java.util.function.Function<String, long[]> shapes;

    NodeContext(OnnxNode node, long opset, List<Operand> inputs, Set<String> consumed,
                java.util.function.Function<String, long[]> shapes) {
        this.node = node;
        this.opset = opset;
        this.inputs = inputs;
        this.consumed = consumed;
        this.shapes = shapes;
    }

    /** The static shape of input {@code i} (-1 for unknown dimensions), or null when it is not known. */
    long[] inputShape(int i) {
        Operand op = input(i);
        if (!op.present()) {
            return null;
        }
        return op.isConstant() ? op.constant().dims() : shapes.apply(op.name());
    }

    /**
     * The version of this node's operator in effect at the model's opset, counted as opset 11's for older models
     * (OpsetPolicy admits those only where the definitions agree).
     */
    int opVersion() {
        return OpsetPolicy.versionAt(node.opType(), Math.max(opset, OpsetPolicy.MIN));
    }

    /** Whether the model's opset is older than opset 11's definition of this operator, whose older form it uses. */
    boolean olderForm() {
        return OpsetPolicy.versionAt(node.opType(), opset) < OpsetPolicy.versionAt(node.opType(), OpsetPolicy.MIN);
    }

    String describe() {
        return "node '" + node.name() + "' (" + node.opType() + ")";
    }

    OnnxImportException fail(String what) {
        return new OnnxImportException(describe() + ": " + what);
    }

    int inputCount() {
        return inputs.size();
    }

    /** Input {@code i}, or an omitted one past the end. */
    Operand input(int i) {
        return i < inputs.size() ? inputs.get(i) : new Operand("", null);
    }

    /** Input {@code i}, which the operator requires. */
    Operand required(int i, String role) {
        Operand op = input(i);
        if (!op.present()) {
            throw fail("its input " + i + " (" + role + ") is missing");
        }
        return op;
    }

    /** Input {@code i} as a constant (an initializer, a Constant node, or computed from constants only). */
    OnnxTensor constant(int i, String role) {
        Operand op = required(i, role);
        if (!op.isConstant()) {
            throw fail("its input " + i + " (" + role + ", '" + op.name() + "') must be a constant (an initializer): "
                    + "jqi imports it into the layer, so it cannot be computed at run time");
        }
        return op.constant();
    }

    /** Refuses a use of outputs {@code from} and later, which jqi does not compute. */
    void rejectExtraOutputs(int from, String what) {
        for (int i = from; i < node.outputs().size(); i++) {
            String out = node.outputs().get(i);
            if (!out.isEmpty() && consumed.contains(out)) {
                throw fail("its output " + i + " ('" + out + "', " + what + ") is used, but jqi computes only the "
                        + "first output; remove that use");
            }
        }
    }

    // ---- attributes ------------------------------------------------------------------------------------------------

    private OnnxAttribute attribute(String name, AttributeType type) {
        OnnxAttribute a = node.attribute(name).orElse(null);
        if (a != null && a.type() != type) {
            throw fail("attribute '" + name + "' is " + a.type() + ", expected " + type);
        }
        return a;
    }

    boolean hasAttribute(String name) {
        return node.attribute(name).isPresent();
    }

    long intAttr(String name, long otherwise) {
        OnnxAttribute a = attribute(name, AttributeType.INT);
        return a == null ? otherwise : a.i();
    }

    float floatAttr(String name, float otherwise) {
        OnnxAttribute a = attribute(name, AttributeType.FLOAT);
        return a == null ? otherwise : a.f();
    }

    String stringAttr(String name, String otherwise) {
        OnnxAttribute a = attribute(name, AttributeType.STRING);
        return a == null ? otherwise : a.stringValue();
    }

    /** The ints of an INTS attribute, or null when absent. */
    long[] intsAttr(String name) {
        OnnxAttribute a = attribute(name, AttributeType.INTS);
        return a == null ? null : a.ints();
    }

    /** A value that must fit an int, such as an axis or a kernel size. */
    int toInt(long v, String what) {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw fail(what + " " + v + " is out of range");
        }
        return (int) v;
    }
}
