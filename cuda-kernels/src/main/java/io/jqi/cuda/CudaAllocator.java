package io.jqi.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;

/**
 * A caching device allocator. {@code cuMemAlloc}/{@code cuMemFree} synchronise the device and cost tens of
 * microseconds, and a training step allocates every intermediate tensor anew, so freed blocks are kept on
 * size-bucketed free lists (sizes rounded up to a power of two, at least 512 bytes) and handed out again.
 *
 * <p>Reuse is safe without events because every kernel and copy runs on the one stream of {@link CudaContext}: a block
 * returned while a queued kernel still reads it can only be handed to work queued after that kernel. Blocks come
 * back through {@link #release} from {@link CudaStorage}'s cleaner (any thread), which only touches the free lists;
 * the driver is called only from {@link #allocate}, {@link #trim} and {@link #close}, on a thread with the context
 * current.
 */
final class CudaAllocator implements AutoCloseable {
    private static final long MIN_BLOCK = 512;
    private static final int MAX_ATTEMPTS = 8;

    /** A device block and the bucket size it was allocated with. */
    record Block(CUdeviceptr pointer, long bytes) {
    }

    private final Map<Long, ArrayDeque<CUdeviceptr>> free = new HashMap<>();
    private long cachedBytes;
    private long liveBytes;
    private long allocations;
    private long reuses;
    private boolean closed;

    /**
     * A block of at least {@code bytes}; reused from the cache when one of its bucket is free. When the device is
     * full, the cache is freed first; then, since blocks of unreachable storages return only when the garbage
     * collector has found them, a collection is requested and the cleaner given a moment, a few times over.
     */
    Block allocate(long bytes) {
        long size = bucket(bytes);
        for (int attempt = 0; ; attempt++) {
            Block block = tryAllocate(size);
            if (block != null) {
                return block;
            }
            if (attempt == MAX_ATTEMPTS) {
                throw new IllegalStateException("CUDA is out of memory: " + size + " bytes requested, "
                        + liveBytes() + " bytes in live tensors");
            }
            if (attempt > 0) {
                // Not under the lock: the cleaner thread needs it to return blocks.
                System.gc();
                try {
                    Thread.sleep(10L * attempt);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for CUDA memory", e);
                }
            }
            trim();
        }
    }

    /** A cached block of {@code size}, or a new one, or null when the device has no room. */
    private synchronized Block tryAllocate(long size) {
        if (closed) {
            throw new IllegalStateException("the CUDA allocator is closed");
        }
        ArrayDeque<CUdeviceptr> list = free.get(size);
        if (list != null && !list.isEmpty()) {
            cachedBytes -= size;
            liveBytes += size;
            reuses++;
            return new Block(list.pop(), size);
        }
        CUdeviceptr pointer = new CUdeviceptr();
        try {
            cuMemAlloc(pointer, size);
        } catch (CudaException e) {
            if (CUresult.stringFor(CUresult.CUDA_ERROR_OUT_OF_MEMORY).equals(e.getMessage())) {
                return null;
            }
            throw e;
        }
        liveBytes += size;
        allocations++;
        return new Block(pointer, size);
    }

    /** Returns a block to its free list; called by the cleaner of an unreachable {@link CudaStorage}. */
    synchronized void release(Block block) {
        if (closed) {
            return;
        }
        free.computeIfAbsent(block.bytes(), k -> new ArrayDeque<>()).push(block.pointer());
        cachedBytes += block.bytes();
        liveBytes -= block.bytes();
    }

    /** Frees every cached (unused) block back to the driver. */
    synchronized void trim() {
        for (ArrayDeque<CUdeviceptr> list : free.values()) {
            for (CUdeviceptr p : list) {
                cuMemFree(p);
            }
            list.clear();
        }
        cachedBytes = 0;
    }

    /** Bytes held in free lists, ready for reuse. */
    synchronized long cachedBytes() {
        return cachedBytes;
    }

    /** Bytes handed out and not yet released. */
    synchronized long liveBytes() {
        return liveBytes;
    }

    /** How many requests went to cuMemAlloc, and how many were served from the cache. */
    synchronized long[] counts() {
        return new long[] {allocations, reuses};
    }

    /** Frees the cache; blocks still in use are freed with the context (the driver owns them). */
    @Override
    public synchronized void close() {
        if (!closed) {
            trim();
            closed = true;
        }
    }

    /** The bucket of a request: the next power of two, at least {@link #MIN_BLOCK}. */
    static long bucket(long bytes) {
        if (bytes <= MIN_BLOCK) {
            return MIN_BLOCK;
        }
        long size = Long.highestOneBit(bytes);
        return size == bytes ? size : size << 1;
    }
}
