package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import jcuda.nvptxcompiler.JNvPTXCompiler;
import jcuda.nvptxcompiler.nvPTXCompileResult;
import jcuda.nvptxcompiler.nvPTXCompilerHandle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Assembles every bundled PTX module in this JVM with JCuda's {@code JNvPTXCompiler} (the nvPTXCompiler library,
 * statically linked into jcuda-natives' libJNvPTXCompiler, which needs no driver and no GPU), for sm_80.
 *
 * <p>jcuda-natives 12.6.0 bundles nvPTXCompiler 12.0, which reads PTX ISA up to 8.0; nvcc 13 writes ISA 9.0. So the
 * PTX as built cannot be checked in process with this JCuda (the first test says so and skips), and the second test
 * assembles it with its {@code .version} line lowered to what the compiler reads: the kernels use no instruction
 * newer than ISA 8.0, so that checks every instruction, operand and register of the kernels themselves. ptxas
 * ({@link PtxModulesTest}) checks the PTX exactly as built.
 */
class PtxInProcessAssemblyTest {
    private static final Pattern VERSION = Pattern.compile("(?m)^\\.version (\\d+\\.\\d+)$");
    private static final Pattern CURRENT = Pattern.compile("current version is '(\\d+\\.\\d+)'");
    private static final String[] OPTIONS = {"--gpu-name=sm_80"};

    /** What one in-process assembly gave: the result code and the compiler's error log. */
    private record Assembly(int result, String log) {
    }

    static Stream<String> bundled() {
        return PtxModulesTest.bundled();
    }

    @ParameterizedTest
    @MethodSource("bundled")
    void everyModuleAssemblesInProcessAsBuilt(String module) {
        requireModule(module);
        Assembly assembly = assemble(PtxModules.source(module));
        if (assembly.result() == nvPTXCompileResult.NVPTXCOMPILE_ERROR_UNSUPPORTED_PTX_VERSION) {
            abort("JCuda's nvPTXCompiler " + compilerVersion() + " is older than the nvcc that wrote PTX ISA "
                    + isaVersion(PtxModules.source(module)) + ": " + assembly.log().strip());
        }
        assertEquals(nvPTXCompileResult.NVPTXCOMPILE_SUCCESS, assembly.result(),
                () -> module + ": " + nvPTXCompileResult.stringFor(assembly.result()) + "\n" + assembly.log());
    }

    @ParameterizedTest
    @MethodSource("bundled")
    void everyModuleAssemblesInProcessAtTheCompilersIsaVersion(String module) {
        requireModule(module);
        String ptx = PtxModules.source(module);
        Assembly first = assemble(ptx);
        if (first.result() == nvPTXCompileResult.NVPTXCOMPILE_ERROR_UNSUPPORTED_PTX_VERSION) {
            Matcher current = CURRENT.matcher(first.log());
            assertTrue(current.find(), () -> "the compiler did not say which ISA it reads: " + first.log());
            Matcher version = VERSION.matcher(ptx);
            assertTrue(version.find(), module + ".ptx has no .version line");
            String lowered = version.replaceFirst(".version " + current.group(1));
            Assembly second = assemble(lowered);
            assertEquals(nvPTXCompileResult.NVPTXCOMPILE_SUCCESS, second.result(), () -> module + " at ISA "
                    + current.group(1) + ": " + nvPTXCompileResult.stringFor(second.result()) + "\n" + second.log());
        } else {
            assertEquals(nvPTXCompileResult.NVPTXCOMPILE_SUCCESS, first.result(),
                    () -> module + ": " + nvPTXCompileResult.stringFor(first.result()) + "\n" + first.log());
        }
    }

    private static Assembly assemble(String ptx) {
        requireCompiler();
        byte[] bytes = ptx.getBytes(StandardCharsets.US_ASCII);
        nvPTXCompilerHandle handle = new nvPTXCompilerHandle();
        check(JNvPTXCompiler.nvPTXCompilerCreate(handle, bytes.length, bytes), "nvPTXCompilerCreate");
        try {
            int result = JNvPTXCompiler.nvPTXCompilerCompile(handle, OPTIONS.length, OPTIONS);
            long[] size = new long[1];
            check(JNvPTXCompiler.nvPTXCompilerGetErrorLogSize(handle, size), "nvPTXCompilerGetErrorLogSize");
            byte[] log = new byte[(int) size[0] + 1];
            check(JNvPTXCompiler.nvPTXCompilerGetErrorLog(handle, log), "nvPTXCompilerGetErrorLog");
            return new Assembly(result, new String(log, 0, (int) size[0], StandardCharsets.UTF_8).replace("\0", ""));
        } finally {
            JNvPTXCompiler.nvPTXCompilerDestroy(handle);
        }
    }

    private static void requireModule(String module) {
        assumeTrue(PtxModules.isBundled(module), () -> module + ".ptx is not bundled: " + PtxModules.NOT_BUILT);
    }

    /** Loads the natives, or skips with the reason (another platform, or natives missing from the class path). */
    private static void requireCompiler() {
        try {
            compilerVersion();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            abort("JCuda's nvPTXCompiler natives cannot be loaded here: " + e.getMessage().lines().findFirst()
                    .orElse(e.toString()));
        }
    }

    private static String compilerVersion() {
        int[] major = new int[1];
        int[] minor = new int[1];
        check(JNvPTXCompiler.nvPTXCompilerGetVersion(major, minor), "nvPTXCompilerGetVersion");
        return major[0] + "." + minor[0];
    }

    private static String isaVersion(String ptx) {
        Matcher version = VERSION.matcher(ptx);
        return version.find() ? version.group(1) : "(no .version line)";
    }

    private static void check(int result, String call) {
        assertEquals(nvPTXCompileResult.NVPTXCOMPILE_SUCCESS, result,
                () -> call + " failed: " + nvPTXCompileResult.stringFor(result));
    }
}
