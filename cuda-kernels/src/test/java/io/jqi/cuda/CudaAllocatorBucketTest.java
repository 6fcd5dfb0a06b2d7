package io.jqi.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CudaAllocatorBucketTest {

    @Test
    void smallRequestsShareTheSmallestBucket() {
        assertEquals(512, CudaAllocator.bucket(1));
        assertEquals(512, CudaAllocator.bucket(512));
    }

    @Test
    void largerRequestsRoundUpToAPowerOfTwo() {
        assertEquals(1024, CudaAllocator.bucket(513));
        assertEquals(1L << 20, CudaAllocator.bucket(1L << 20));
        assertEquals(1L << 21, CudaAllocator.bucket((1L << 20) + 4));
    }
}
