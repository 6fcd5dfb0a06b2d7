package io.jqi.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The PTX modules bundled in this jar under {@code io/jqi/cuda/ptx/}. They exist only when nvcc was on the PATH at
 * build time; build-ptx.sh then also writes {@code index.txt}, one module name a line.
 */
public final class PtxModules {
    private static final String DIRECTORY = "/io/jqi/cuda/ptx/";
    static final String NOT_BUILT = "nvcc was not on the PATH when jqi was built (or -Djqi.skipNvcc=true was set); "
            + "rebuild jqi with the CUDA toolkit's nvcc on the PATH to bundle the CUDA kernels";

    private PtxModules() {
    }

    /** The bundled module names, in build order; empty when the build had no nvcc. */
    public static List<String> names() {
        try (InputStream in = PtxModules.class.getResourceAsStream(DIRECTORY + "index.txt")) {
            if (in == null) {
                return List.of();
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the PTX index " + DIRECTORY + "index.txt from the jqi jar", e);
        }
    }

    public static boolean isBundled(String name) {
        return PtxModules.class.getResource(resource(name)) != null;
    }

    /** The PTX text of module {@code name} (a .cu file's base name, e.g. {@code fake_quant}). */
    public static String source(String name) {
        try (InputStream in = PtxModules.class.getResourceAsStream(resource(name))) {
            if (in == null) {
                throw new IllegalStateException("PTX module '" + name + "' is not bundled in this jqi jar: "
                        + NOT_BUILT);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read PTX module '" + name + "' from the jqi jar", e);
        }
    }

    private static String resource(String name) {
        return DIRECTORY + name + ".ptx";
    }
}
