package io.jqi.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One NumPy array in the {@code .npy} format (versions 1 to 3): its dtype, shape and the buffer of its C-ordered
 * values, read element by element without copying (the buffer may be memory-mapped). Format:
 * a magic string, a version, a header length and a Python dict literal {@code {'descr': '<f4', 'fortran_order':
 * False, 'shape': (n, h, w), }}, then the raw values.
 */
final class NpyArray {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([biuf])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    final String source;
    final char kind;
    final int itemSize;
    final int[] shape;
    private final ByteBuffer data;

    private NpyArray(String source, char kind, int itemSize, int[] shape, ByteBuffer data) {
        this.source = source;
        this.kind = kind;
        this.itemSize = itemSize;
        this.shape = shape;
        this.data = data;
    }

    /** Parses the header at the start of {@code buffer}; the array's values must follow it in full. */
    static NpyArray parse(ByteBuffer buffer, String source) throws DatasetFormatException {
        ByteBuffer b = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 10) {
            throw new DatasetFormatException(source, "is too short to be a NumPy .npy array");
        }
        byte[] magic = new byte[MAGIC.length];
        b.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new DatasetFormatException(source, "is not a NumPy .npy array (it does not start with \\x93NUMPY)");
        }
        int major = b.get() & 0xff;
        b.get();
        long headerLength;
        if (major == 1) {
            headerLength = b.getShort() & 0xffff;
        } else if (major == 2 || major == 3) {
            headerLength = b.getInt() & 0xffffffffL;
        } else {
            throw new DatasetFormatException(source, "is a .npy file of format version " + major
                    + ", which jqi does not read (versions 1 to 3)");
        }
        if (headerLength > b.remaining()) {
            throw new DatasetFormatException(source, "is truncated: its header is cut off");
        }
        byte[] headerBytes = new byte[(int) headerLength];
        b.get(headerBytes);
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(header);
        if (!descr.find()) {
            throw new DatasetFormatException(source, "has dtype " + field(header, "descr") + "; jqi reads bool, "
                    + "integer and float32/float64 arrays");
        }
        char kind = descr.group(2).charAt(0);
        int itemSize = Integer.parseInt(descr.group(3));
        boolean supported = switch (kind) {
            case 'b' -> itemSize == 1;
            case 'i', 'u' -> itemSize == 1 || itemSize == 2 || itemSize == 4 || itemSize == 8;
            case 'f' -> itemSize == 4 || itemSize == 8;
            default -> false;
        };
        if (!supported) {
            throw new DatasetFormatException(source, "has dtype " + descr.group(0).replaceFirst(".*:\\s*", "")
                    + (kind == 'f' && itemSize == 2 ? " (float16); convert it with .astype('float32')"
                    : "; jqi reads bool, integer and float32/float64 arrays"));
        }
        Matcher fortran = FORTRAN.matcher(header);
        if (fortran.find() && fortran.group(1).equals("True")) {
            throw new DatasetFormatException(source, "is stored in Fortran (column-major) order; save it with "
                    + "np.ascontiguousarray(a) first");
        }
        Matcher shapeMatch = SHAPE.matcher(header);
        if (!shapeMatch.find()) {
            throw new DatasetFormatException(source, "has a header without a shape: " + header.strip());
        }
        String[] parts = shapeMatch.group(1).split(",");
        int[] shape = Arrays.stream(parts).map(String::strip).filter(s -> !s.isEmpty())
                .mapToInt(s -> parseDim(s)).toArray();
        long count = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new DatasetFormatException(source, "has an invalid shape (" + shapeMatch.group(1) + ")");
            }
            count *= d;
            if (count > Integer.MAX_VALUE) {
                throw new DatasetFormatException(source, "holds more than 2^31 values; split it into several files");
            }
        }
        long bytes = count * itemSize;
        if (b.remaining() < bytes) {
            throw new DatasetFormatException(source, "is truncated: its shape (" + shapeMatch.group(1).strip()
                    + ") needs " + bytes + " bytes of values, it has " + b.remaining());
        }
        ByteBuffer data = b.slice(b.position(), (int) bytes);
        char order = descr.group(1).charAt(0);
        data.order(order == '>' ? ByteOrder.BIG_ENDIAN : order == '=' ? ByteOrder.nativeOrder() : ByteOrder.LITTLE_ENDIAN);
        return new NpyArray(source, kind, itemSize, shape, data);
    }

    private static int parseDim(String text) {
        try {
            long value = Long.parseLong(text.replace("L", ""));
            return value > Integer.MAX_VALUE ? -1 : (int) value;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String field(String header, String name) {
        Matcher m = Pattern.compile("'" + name + "'\\s*:\\s*([^,}]*(\\[[^]]*\\])?)").matcher(header);
        return m.find() ? m.group(1).strip() : "(none)";
    }

    boolean isInteger() {
        return kind != 'f';
    }

    /** Element {@code i} (C order) as a double: exact for every integer dtype below 2^53 and both floats. */
    double value(int i) {
        int at = i * itemSize;
        return switch (kind) {
            case 'f' -> itemSize == 4 ? data.getFloat(at) : data.getDouble(at);
            case 'u' -> switch (itemSize) {
                case 1 -> data.get(at) & 0xff;
                case 2 -> data.getShort(at) & 0xffff;
                case 4 -> data.getInt(at) & 0xffffffffL;
                default -> (double) data.getLong(at);
            };
            case 'b' -> data.get(at) != 0 ? 1 : 0;
            default -> switch (itemSize) {
                case 1 -> data.get(at);
                case 2 -> data.getShort(at);
                case 4 -> data.getInt(at);
                default -> (double) data.getLong(at);
            };
        };
    }

    String dtype() {
        return (kind == 'f' ? "float" : kind == 'u' ? "uint" : kind == 'b' ? "bool" : "int") + (kind == 'b' ? "" : 8 * itemSize);
    }
}
