package io.jqi.cuda;

import static io.jqi.cuda.HostProtocol.floats;
import static io.jqi.cuda.HostProtocol.hex;
import static io.jqi.cuda.HostProtocol.ints;
import static io.jqi.cuda.HostProtocol.parseFloats;
import static io.jqi.cuda.HostProtocol.parseInts;

import io.jqi.grid.ChannelLayout;
import io.jqi.grid.LutGrid;
import io.jqi.grid.RoundingMode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real {@code fake_quant.cu} and {@code quant_backward.cu} compiled for the host
 * (src/test/emulation/quant_kernels_on_host.cpp, quant_host.h), one process per call, with the Java loaders' launch
 * arithmetic repeated here: {@link CudaFakeQuant}'s grid and {@link CudaQuantBackward#blocksPerChannel}. The backward's blocks run concurrently, in an order that changes from call to
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
    public float[] affine(float[] x, float[] steps, float[] zeroPoints, float qmin, float qmax, RoundingMode rounding,
            ChannelLayout layout) {
        if (x.length == 0) {
            return new float[0];
        }
        return parseFloats(call("affine " + forwardGrid(x.length) + " " + (rounding == RoundingMode.TF_NUDGE_HALF_UP
                ? 1 : 0) + " " + hex(qmin) + " " + hex(qmax) + " " + layout(layout) + floats(x) + floats(steps)
                + floats(zeroPoints)).get(0));
    }

    @Override
    public float[] lut(float[] x, LutGrid grid, ChannelLayout layout) {
        return lut(x, grid.levels(), grid.thresholds(), grid.multiplier(), grid.lo(), grid.hi(), grid.eps(), layout);
    }

    /** The LUT kernel with the grid's parameters given one by one, as the backend primitive passes them. */
    float[] lut(float[] x, float[] levels, float[] thresholds, float multiplier, float lo, float hi, float eps,
            ChannelLayout layout) {
        if (x.length == 0) {
            return new float[0];
        }
        return parseFloats(call("lut " + forwardGrid(x.length) + " " + hex(multiplier) + " " + hex(lo) + " "
                + hex(hi) + " " + hex(eps) + " " + layout(layout) + floats(x) + floats(levels) + floats(thresholds))
                .get(0));
    }

    @Override
    public float[][] uniformGrid(float[] mins, float[] maxs, int bits) {
        List<String> lines = call("unigrid " + forwardGrid(mins.length) + " " + hex((float) ((1L << bits) - 1))
                + "\n" + floats(mins) + floats(maxs));
        return new float[][] {parseFloats(lines.get(0)), parseFloats(lines.get(1))};
    }

    @Override
    public FakeQuantGradients backward(float[] x, float[] dy, float[] steps, float[] offsets, float qmin, float qmax,
            boolean clipped, boolean parameterGradients, ChannelLayout layout) {
        int blocks = CudaQuantBackward.blocksPerChannel(layout);
        boolean withOffsets = offsets != null;
        List<String> lines = call("backward " + layout.channels() * blocks + " " + SEEDS.getAndIncrement() + " "
                + WORKERS + " " + LAUNCHES + " " + blocks + " " + (clipped ? 1 : 0) + " " + (parameterGradients ? 1 : 0)
                + " " + (withOffsets ? 1 : 0) + " " + hex(qmin) + " " + hex(qmax) + " " + layout(layout) + floats(x)
                + floats(dy) + floats(steps) + floats(withOffsets ? offsets : new float[0]));
        return sameOnEveryLaunch(lines, 3, layout, l -> new FakeQuantGradients(parseFloats(l.get(0)),
                parameterGradients ? parseFloats(l.get(1)) : null,
                parameterGradients && withOffsets ? parseFloats(l.get(2)) : null));
    }

    private interface Reader {
        FakeQuantGradients read(List<String> launch);
    }

    /** Every launch's lines must be the same bits (a fresh block order each), and the counters back at zero. */
    private static FakeQuantGradients sameOnEveryLaunch(List<String> lines, int perLaunch, ChannelLayout layout,
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
