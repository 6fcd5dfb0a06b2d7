package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jqi.tensor.Backend;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link FusedQuantizerCases} on {@link HostKernelBackend} with the quantizer kernels compiled for the host. Runs
 * where g++ is on the PATH; {@code -Djqi.kernelEmulation=false} skips it.
 */
class FusedQuantizerEmulationTest extends FusedQuantizerCases {
    private HostKernelBackend backend;

    @Override
    Backend backend() {
        HostKernels.assumeAvailable();
        if (backend == null) {
            backend = new HostKernelBackend(HostKernels.build("kernels_on_host"),
                    new HostQuantKernels(HostKernels.build("quant_kernels_on_host")));
        }
        return backend;
    }

    /** Small: each case's forward and backward are four host processes. */
    @Override
    int scale() {
        return 1;
    }

    Stream<TrainableCase> firstCases() {
        return cases().limit(4);
    }

    /** One forward node and one backward call per quantizer, not the composed ops. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("firstCases")
    void eachQuantizerIsOneFusedForwardAndBackward(TrainableCase c) {
        float[] x = QuantInputs.x(c.layout(), c.channelRanges(), 95, true);
        float[] dy = QuantInputs.dy(x.length, 96, true);
        HostKernelBackend b = (HostKernelBackend) backend();
        int[] before = b.fusedCalls();
        onDevice(c, x, dy);
        int[] after = b.fusedCalls();
        assertArrayEquals(new int[] {before[0] + 1, before[1] + 1}, after, c + ": fused forwards and backwards");
    }
}
