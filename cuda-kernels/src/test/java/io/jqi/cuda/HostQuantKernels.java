package io.jqi.cuda;

import static io.jqi.cuda.HostProtocol.floats;
import static io.jqi.cuda.HostProtocol.hex;
import static io.jqi.cuda.HostProtocol.ints;
import static io.jqi.cuda.HostProtocol.parseFloats;
import static io.jqi.cuda.HostProtocol.parseInts;

import io.jqi.quant.ChannelLayout;
import io.jqi.quant.LutGrid;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real {@code fake_quant.cu} and {@code quant_backward.cu} compiled for the host
 * (src/test/emulation/quant_kernels_on_host.cpp, quant_host.h), one process per call, with the Java loaders' launch
 * arithmetic repeated here: {@link CudaFakeQuant}'s grid, {@link CudaQuantBackward#blocksPerChannel} and its levels,
 * clip bounds and gradient scale. The backward's blocks run concurrently, in an order that changes from call to
 * call, and each backward is launched {@value #LAUNCHES} times on one workspace as CudaQuantBackward reuses it: every
 * launch must give the same bits and leave the channel counters at zero.
 */
final class HostQuantKernels implements QuantKernels {
    private static final int BLOCK_SIZE = 256;
    private static final long MAX_FORWARD_BLOCKS = 65_535;
    /** OS threads running blocks at once: enough for every block of a channel to overlap in the cases here. */
    private static final int WORKERS = 8;
    private static final int LAUNCHES = 2;
    private static final AtomicInteger SEEDS = new AtomicInteger(1);

    private final Path executable;

    HostQuantKernels(Path executable) {
        this.executable = executable;
    }

    @Override
    public float[] affine(float[] x, float[] steps, float[] zeroPoints, float qmin, float qmax, ChannelLayout layout) {
        if (x.length == 0) {
            return new float[0];
        }
        return parseFloats(call("affine " + forwardGrid(x.length) + " " + hex(qmin) + " " + hex(qmax) + " "
                + layout(layout) + floats(x) + floats(steps) + floats(zeroPoints)).get(0));
    }

    @Override
    public float[] tfNudge(float[] x, float[] nudgedMin, float[] nudgedMax, float[] steps, ChannelLayout layout) {
        if (x.length == 0) {
            return new float[0];
        }
        return parseFloats(call("tfnudge " + forwardGrid(x.length) + " " + layout(layout) + floats(x)
                + floats(nudgedMin) + floats(nudgedMax) + floats(steps)).get(0));
    }

    @Override
    public float[] lut(float[] x, LutGrid grid, ChannelLayout layout) {
        if (x.length == 0) {
            return new float[0];
        }
        return parseFloats(call("lut " + forwardGrid(x.length) + " " + hex(grid.multiplier()) + " "
                + hex(grid.lo()) + " " + hex(grid.hi()) + " " + hex(grid.eps()) + " " + layout(layout) + floats(x)
                + floats(grid.levels()) + floats(grid.thresholds())).get(0));
    }

    @Override
    public float[] symmetricSteps(float[] thresholds, int bits, boolean signed, boolean powerOfTwo,
            float minThreshold) {
        float levels = (float) (1L << (signed ? bits - 1 : bits));
        return parseFloats(call("symsteps " + forwardGrid(thresholds.length) + " " + hex(levels) + " "
                + (powerOfTwo ? 1 : 0) + " " + hex(minThreshold) + "\n" + floats(thresholds)).get(0));
    }

    @Override
    public float[][] uniformGrid(float[] mins, float[] maxs, int bits) {
        List<String> lines = call("unigrid " + forwardGrid(mins.length) + " " + hex((float) ((1L << bits) - 1))
                + "\n" + floats(mins) + floats(maxs));
        return new float[][] {parseFloats(lines.get(0)), parseFloats(lines.get(1))};
    }

    @Override
    public QuantizerGradients symmetric(float[] x, float[] dy, float[] steps, int bits, boolean signed,
            GradientRule rule, boolean trainsThreshold, ChannelLayout layout) {
        float levels = (float) (1L << (signed ? bits - 1 : bits));
        float qmin = signed ? -levels : 0f;
        float qmax = levels - 1f;
        List<String> lines = call(backwardHeader("symmetric", rule, trainsThreshold, layout) + hex(levels) + " "
                + hex(qmin) + " " + hex(qmax) + " " + layout(layout) + floats(x) + floats(dy) + floats(steps)
                + floats(new float[0]));
        return sameOnEveryLaunch(lines, 2, layout,
                l -> new QuantizerGradients(parseFloats(l.get(0)), trainsThreshold ? parseFloats(l.get(1)) : null,
                        null, null));
    }

    @Override
    public QuantizerGradients uniform(float[] x, float[] dy, float[] mins, float[] maxs, int bits, GradientRule rule,
            boolean trainsRange, ChannelLayout layout) {
        // UniformGrids.surrogate always scales the step's gradient, by 1 for STE (as CudaQuantBackward passes it).
        GradientRule scaled = new GradientRule(rule.clipped(), true, rule.scale());
        List<String> lines = call(backwardHeader("uniform", scaled, trainsRange, layout)
                + hex((float) ((1L << bits) - 1)) + " " + layout(layout) + floats(x) + floats(dy) + floats(mins)
                + floats(maxs));
        return sameOnEveryLaunch(lines, 3, layout, l -> new QuantizerGradients(parseFloats(l.get(0)), null,
                trainsRange ? parseFloats(l.get(1)) : null, trainsRange ? parseFloats(l.get(2)) : null));
    }

    private static String backwardHeader(String op, GradientRule rule, boolean trains, ChannelLayout layout) {
        int blocks = CudaQuantBackward.blocksPerChannel(layout);
        return op + " " + layout.channels() * blocks + " " + SEEDS.getAndIncrement() + " " + WORKERS + " " + LAUNCHES
                + " " + blocks + " " + (rule.clipped() ? 1 : 0) + " " + (rule.scaled() ? 1 : 0) + " "
                + (trains ? 1 : 0) + " " + hex(rule.scale()) + " ";
    }

    private interface Reader {
        QuantizerGradients read(List<String> launch);
    }

    /** Every launch's lines must be the same bits (a fresh block order each), and the counters back at zero. */
    private static QuantizerGradients sameOnEveryLaunch(List<String> lines, int perLaunch, ChannelLayout layout,
            Reader reader) {
        List<String> first = lines.subList(0, perLaunch);
        for (int run = 1; run < LAUNCHES; run++) {
            List<String> again = lines.subList(run * perLaunch, (run + 1) * perLaunch);
            if (!first.equals(again)) {
                throw new AssertionError("launch " + run + " on the same workspace gave other bits than launch 0");
            }
        }
        int[] counters = parseInts(lines.get(LAUNCHES * perLaunch));
        if (counters.length != layout.channels() || Arrays.stream(counters).anyMatch(c -> c != 0)) {
            throw new AssertionError("the kernel left the channel counters at " + Arrays.toString(counters));
        }
        return reader.read(first);
    }

    private static long forwardGrid(long n) {
        return Math.max(1, Math.min((n + BLOCK_SIZE - 1) / BLOCK_SIZE, MAX_FORWARD_BLOCKS));
    }

    private static String layout(ChannelLayout layout) {
        StringBuilder b = new StringBuilder();
        for (int v : KernelLayout.fields(layout)) {
            b.append(v).append(' ');
        }
        return b.append('\n').toString();
    }

    private List<String> call(String request) {
        return HostProtocol.call(executable, request);
    }
}
