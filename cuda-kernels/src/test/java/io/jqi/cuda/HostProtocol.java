package io.jqi.cuda;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The line protocol between the emulation tests and the host-compiled kernels (src/test/emulation): one request
 * on stdin, result lines on stdout. Floats travel as the hex of their bits, so nothing is lost to decimal text;
 * arrays as their length followed by their elements.
 */
final class HostProtocol {
    private HostProtocol() {
    }

    static String hex(float f) {
        return Integer.toHexString(Float.floatToRawIntBits(f));
    }

    /** A null array is sent empty, which the host programs read as a null pointer. */
    static String floats(float[] v) {
        if (v == null) {
            return "0\n";
        }
        StringBuilder b = new StringBuilder().append(v.length);
        for (float f : v) {
            b.append(' ').append(hex(f));
        }
        return b.append('\n').toString();
    }

    static String ints(int[] v) {
        StringBuilder b = new StringBuilder().append(v.length);
        for (int i : v) {
            b.append(' ').append(i);
        }
        return b.append('\n').toString();
    }

    static float[] parseFloats(String line) {
        String[] t = line.trim().split(" ");
        float[] v = new float[Integer.parseInt(t[0])];
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.intBitsToFloat((int) Long.parseLong(t[i + 1], 16));
        }
        return v;
    }

    /** Integers the host printed; unsigned counters above 2^31 wrap as they do in Java's int. */
    static int[] parseInts(String line) {
        String[] t = line.trim().split(" ");
        int[] v = new int[Integer.parseInt(t[0])];
        for (int i = 0; i < v.length; i++) {
            v[i] = (int) Long.parseLong(t[i + 1]);
        }
        return v;
    }

    /** Runs {@code executable} on one request and returns its output lines; a non-zero exit is an error. */
    static List<String> call(Path executable, String request) {
        try {
            Process p = new ProcessBuilder(executable.toString()).redirectErrorStream(true).start();
            try (Writer w = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.US_ASCII)) {
                w.write(request);
            }
            List<String> lines = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            }
            if (p.waitFor() != 0) {
                throw new IllegalStateException("the host kernels failed: " + lines);
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
