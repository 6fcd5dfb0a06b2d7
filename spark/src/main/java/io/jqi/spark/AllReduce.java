package io.jqi.spark;

import io.jqi.nn.Module;
import io.jqi.tensor.Tensor;
import io.jqi.train.GradientExchange;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;

/**
 * The gradient exchange of a barrier stage, task to task along a chain of the ranks: every replica's gradients and
 * buffers (batch-norm running statistics, quantizer state) are summed in rank order, {@code ((g0 + g1) + g2) + ...},
 * divided by the replica count, and every replica takes that mean. All replicas take the same bits, so they take the
 * same optimizer step and stay identical.
 *
 * <p>The message goes in chunks. Reduction: worker r receives the chunk's partial sum of workers 0 to r - 1 from
 * worker r - 1, adds its own values and sends the sum on to worker r + 1; the last worker ends with the total.
 * Broadcast: the totals go back down the chain. Chunks are pipelined, so each worker sends and receives about twice
 * the message per step whatever the number of workers, plus one chunk's time per worker of the chain
 * (docs/spark.md#cost-model-where-this-design-stops-scaling).
 *
 * <p>Why not Spark's {@link BarrierTaskContext#allGather}: it polls for the driver's answer once a second, so every
 * call takes 0.7 to 1.1 s whatever the message size (docs/spark.md#measured); it serves only the one-time exchange
 * of the sockets' addresses here.
 *
 * <p>Each replica's loss is the mean over its shard, and the shards of a step are equal, so the mean of the shard
 * gradients is the gradient of the whole step's batch, up to rounding (docs/spark.md).
 */
final class AllReduce implements GradientExchange, AutoCloseable {
    /** A neighbour that sends nothing for this long is taken for dead: the task fails and Spark retries the stage. */
    private static final int TIMEOUT_MILLIS = 10 * 60 * 1000;
    /** Floats per chunk: at least 4096 (16 KiB), and at most 64 chunks a message. */
    private static final int MIN_CHUNK = 4096;
    private static final int MAX_CHUNKS = 64;

    private final int rank;
    private final int workers;
    private Socket previous;
    private Socket next;
    private DataInputStream fromPrevious;
    private DataOutputStream toPrevious;
    private DataInputStream fromNext;
    private DataOutputStream toNext;
    private long nanos;
    private long bytes;

    /** Connects this task to its neighbours in the chain; {@code host} is the address this executor is reached at. */
    AllReduce(BarrierTaskContext context, String host) {
        this.workers = context.getTaskInfos().length;
        this.rank = context.partitionId();
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(0), 1);
            String[] addresses = context.allGather(host + ":" + server.getLocalPort());
            // Connect to the next worker (its backlog takes the connection before it accepts), then accept the
            // previous one.
            if (rank + 1 < workers) {
                String a = addresses[rank + 1];
                int colon = a.lastIndexOf(':');
                next = configured(new Socket(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1))));
                fromNext = new DataInputStream(new BufferedInputStream(next.getInputStream(), 1 << 16));
                toNext = new DataOutputStream(new BufferedOutputStream(next.getOutputStream(), 1 << 16));
            }
            if (rank > 0) {
                previous = configured(server.accept());
                fromPrevious = new DataInputStream(new BufferedInputStream(previous.getInputStream(), 1 << 16));
                toPrevious = new DataOutputStream(new BufferedOutputStream(previous.getOutputStream(), 1 << 16));
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("Worker " + rank + " could not connect to its neighbours in the chain of "
                    + workers + " workers: " + e, e);
        }
    }

    private static Socket configured(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        s.setSoTimeout(TIMEOUT_MILLIS);
        return s;
    }

    @Override
    public void exchange(Module model) {
        List<Tensor> shared = new ArrayList<>();
        for (Tensor p : model.parameters()) {
            if (p.grad() != null) {
                shared.add(p.grad());
            }
        }
        shared.addAll(model.namedBuffers().values());
        int size = 0;
        for (Tensor t : shared) {
            size += t.numel();
        }
        float[] values = new float[size];
        int offset = 0;
        for (Tensor t : shared) {
            float[] v = t.toFloatArray();
            System.arraycopy(v, 0, values, offset, v.length);
            offset += v.length;
        }
        long start = System.nanoTime();
        float[] sum = sum(values);
        nanos += System.nanoTime() - start;
        offset = 0;
        for (Tensor t : shared) {
            float[] mean = new float[t.numel()];
            for (int i = 0; i < mean.length; i++) {
                mean[i] = sum[offset + i] / workers;
            }
            t.assign(Tensor.of(mean, t.shape()));
            offset += mean.length;
        }
    }

    /** The sum over the workers of their {@code values}, in rank order; every worker gets the same. */
    private float[] sum(float[] values) {
        int chunk = Math.max(MIN_CHUNK, (values.length + MAX_CHUNKS - 1) / MAX_CHUNKS);
        float[] sum = values.clone();
        ByteBuffer buffer = ByteBuffer.allocate(chunk * Float.BYTES);
        String step = "reducing";
        try {
            for (int lo = 0; lo < values.length; lo += chunk) {
                int hi = Math.min(values.length, lo + chunk);
                if (fromPrevious != null) {
                    read(fromPrevious, buffer, hi - lo);
                    for (int i = lo; i < hi; i++) {
                        // The partial sum of the workers before this one, then this one's values.
                        sum[i] = buffer.getFloat() + values[i];
                    }
                }
                if (toNext != null) {
                    write(toNext, buffer, sum, lo, hi);
                }
            }
            step = "broadcasting";
            for (int lo = 0; lo < values.length; lo += chunk) {
                int hi = Math.min(values.length, lo + chunk);
                if (fromNext != null) {
                    read(fromNext, buffer, hi - lo);
                    for (int i = lo; i < hi; i++) {
                        sum[i] = buffer.getFloat();
                    }
                }
                if (toPrevious != null) {
                    write(toPrevious, buffer, sum, lo, hi);
                }
            }
        } catch (EOFException e) {
            throw new UncheckedIOException("Worker " + rank + " lost a neighbour while " + step + " the gradients: it "
                    + "closed the connection (it failed or was stopped)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Worker " + rank + " lost a neighbour while " + step + " the gradients: "
                    + e, e);
        }
        return sum;
    }

    private void read(DataInputStream in, ByteBuffer buffer, int floats) throws IOException {
        int length = in.readInt();
        if (length != floats) {
            throw new IllegalStateException("Worker " + rank + " received a chunk of " + length + " values where it "
                    + "expected " + floats + "; the replicas disagree on which parameters have gradients");
        }
        buffer.clear();
        in.readFully(buffer.array(), 0, floats * Float.BYTES);
        buffer.limit(floats * Float.BYTES);
        bytes += (long) floats * Float.BYTES;
    }

    private static void write(DataOutputStream out, ByteBuffer buffer, float[] values, int lo, int hi)
            throws IOException {
        buffer.clear();
        for (int i = lo; i < hi; i++) {
            buffer.putFloat(values[i]);
        }
        out.writeInt(hi - lo);
        out.write(buffer.array(), 0, (hi - lo) * Float.BYTES);
        out.flush();
    }

    /** Seconds spent in the exchange: sending, and waiting for the neighbours' chunks. */
    double seconds() {
        return nanos / 1e9;
    }

    /** Bytes received from the neighbours. */
    long bytes() {
        return bytes;
    }

    @Override
    public void close() {
        for (Socket s : new Socket[] {previous, next}) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // Closing on the way out: the neighbours see the end of the stream either way.
                }
            }
        }
    }
}
