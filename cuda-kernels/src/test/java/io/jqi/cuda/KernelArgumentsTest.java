package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.jqi.grid.ChannelLayout;
import org.junit.jupiter.api.Test;

/** What the kernel wrappers reject before any launch, and the messages that say what to do instead. */
class KernelArgumentsTest {

    @Test
    void openingWithoutCudaSaysWhy() {
        CudaAvailability cuda = CudaProbe.probe();
        assumeFalse(cuda.available(), "CUDA is available here");
        IllegalStateException e = assertThrows(IllegalStateException.class, CudaQuantBackward::open);
        assertEquals("CUDA is unavailable: " + cuda.reason(), e.getMessage());
        IllegalStateException f = assertThrows(IllegalStateException.class, CudaFakeQuant::open);
        assertEquals("CUDA is unavailable: " + cuda.reason(), f.getMessage());
    }

    @Test
    void aLayoutWithoutChannelsIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelChecks.elements(new ChannelLayout(4, 0, 3)));
        assertTrue(e.getMessage().contains("at least one channel"), e::getMessage);
    }

    @Test
    void aLayoutOf2To31ElementsOrMoreIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelChecks.elements(new ChannelLayout(1 << 15, 2, 1 << 15)));
        assertTrue(e.getMessage().contains("2147483648 elements") && e.getMessage().contains("split"), e::getMessage);
    }

    @Test
    void aLayoutThatIsNotXsIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelChecks.requireLayout(new float[10], new ChannelLayout(2, 3, 2)));
        assertTrue(e.getMessage().contains("describes 12 elements but x has 10"), e::getMessage);
    }

    @Test
    void perChannelParametersMustMatchTheChannels() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelChecks.requireChannels("steps", new float[2], new ChannelLayout(1, 3, 4)));
        assertTrue(e.getMessage().contains("steps has 2 values but the layout has 3 channels"), e::getMessage);
    }

    @Test
    void bitsOutsideOneToSixteenAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> KernelChecks.requireBits(0));
        assertThrows(IllegalArgumentException.class, () -> KernelChecks.requireBits(17));
    }

    @Test
    void blocksPerChannelDependOnTheShapeAloneAndStayBounded() {
        assertEquals(1, CudaQuantBackward.blocksPerChannel(new ChannelLayout(1, 1, 10)));
        assertEquals(8192, CudaQuantBackward.blocksPerChannel(new ChannelLayout(1, 1, 64 << 20)));
        // Many channels: one block each, however many that is.
        assertEquals(1, CudaQuantBackward.blocksPerChannel(new ChannelLayout(1, 20_000, 1024)));
        ChannelLayout activations = new ChannelLayout(256, 64, 1024);
        int blocks = CudaQuantBackward.blocksPerChannel(activations);
        assertEquals(128, blocks);
        assertTrue(blocks * activations.channels() <= 8192);
    }
}
