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
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.BarrierTaskContext;

/**
 * The gradient exchange of a barrier stage, task to task: every replica sends its gradients and its buffers
 * (batch-norm running statistics, quantizer state) straight to every other replica over a socket, and every replica
 * takes their mean, summed in rank order and divided by the replica count. All replicas compute the same sums from
 * the same messages, so they take the same optimizer step and stay identical, bit for bit.
 *
 * <p>Why not Spark's {@link BarrierTaskContext#allGather}: it polls for the driver's answer once a second, so every
 * call takes 0.7 to 1.1 s whatever the message size (docs/spark.md#measured); it serves only the one-time exchange
 * of the sockets' addresses here.
 *
 * <p>Each replica's loss is the mean over its shard, and the shards of a step are equal, so the mean of the shard
 * gradients is the gradient of the whole step's batch, up to rounding (docs/spark.md).
 */
final class AllReduce implements GradientExchange, AutoCloseable {
    /** A peer that sends nothing for this long is taken for dead: the task fails and Spark retries the stage. */
    private static final int TIMEOUT_MILLIS = 10 * 60 * 1000;

    private final int rank;
    private final Socket[] peers;
    private final DataInputStream[] in;
    private final DataOutputStream[] out;
    private final ExecutorService senders;
    private long nanos;
    private long bytes;

    /** Connects this task to every other task of the stage; {@code host} is the address this executor is reached at. */
    AllReduce(BarrierTaskContext context, String host) {
        int workers = context.getTaskInfos().length;
        this.rank = context.partitionId();
        this.peers = new Socket[workers];
        this.in = new DataInputStream[workers];
        this.out = new DataOutputStream[workers];
        this.senders = Executors.newFixedThreadPool(Math.max(1, workers - 1), r -> {
            Thread t = new Thread(r, "jqi-allreduce-" + rank);
            t.setDaemon(true);
            return t;
        });
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(0), workers);
            String[] addresses = context.allGather(host + ":" + server.getLocalPort());
            // Connect to the higher ranks (their backlog takes the connection before they accept), then accept
            // the lower ones, each of which says who it is.
            for (int p = rank + 1; p < workers; p++) {
                String a = addresses[p];
                int colon = a.lastIndexOf(':');
                Socket s = new Socket(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1)));
                attach(p, s);
                out[p].writeInt(rank);
                out[p].flush();
            }
            for (int accepted = 0; accepted < rank; accepted++) {
                Socket s = server.accept();
                DataInputStream first = new DataInputStream(s.getInputStream());
                attach(first.readInt(), s);
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("Worker " + rank + " could not connect to the other workers: "
                    + e.getMessage(), e);
        }
    }

    private void attach(int peer, Socket s) throws IOException {
        s.setTcpNoDelay(true);
        s.setSoTimeout(TIMEOUT_MILLIS);
        peers[peer] = s;
        in[peer] = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16));
        out[peer] = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
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
        ByteBuffer mine = ByteBuffer.allocate(Math.multiplyExact(size, Float.BYTES));
        FloatBuffer values = mine.asFloatBuffer();
        for (Tensor t : shared) {
            values.put(t.toFloatArray());
        }
        long start = System.nanoTime();
        byte[][] messages = swap(mine.array());
        nanos += System.nanoTime() - start;
        float[] sum = new float[size];
        for (int r = 0; r < messages.length; r++) {
            if (messages[r].length != mine.capacity()) {
                throw new IllegalStateException("Worker " + r + " sent " + messages[r].length / Float.BYTES
                        + " gradient and buffer values where worker " + rank + " has " + size + "; the replicas "
                        + "disagree on which parameters have gradients");
            }
            FloatBuffer theirs = ByteBuffer.wrap(messages[r]).asFloatBuffer();
            for (int i = 0; i < size; i++) {
                sum[i] = r == 0 ? theirs.get(i) : sum[i] + theirs.get(i);
            }
        }
        int offset = 0;
        for (Tensor t : shared) {
            float[] mean = new float[t.numel()];
            for (int i = 0; i < mean.length; i++) {
                mean[i] = sum[offset + i] / messages.length;
            }
            t.assign(Tensor.of(mean, t.shape()));
            offset += mean.length;
        }
    }

    /** Sends {@code message} to every peer while reading theirs; element r is worker r's (this one's own at rank). */
    private byte[][] swap(byte[] message) {
        byte[][] all = new byte[peers.length][];
        all[rank] = message;
        List<Future<?>> sent = new ArrayList<>();
        for (int p = 0; p < peers.length; p++) {
            if (p != rank) {
                DataOutputStream o = out[p];
                sent.add(senders.submit(() -> {
                    o.writeInt(message.length);
                    o.write(message);
                    o.flush();
                    return null;
                }));
            }
        }
        int p = 0;
        try {
            for (; p < peers.length; p++) {
                if (p != rank) {
                    byte[] received = new byte[in[p].readInt()];
                    in[p].readFully(received);
                    all[p] = received;
                    bytes += received.length;
                }
            }
            for (Future<?> f : sent) {
                f.get();
            }
        } catch (EOFException e) {
            throw new UncheckedIOException("Worker " + rank + " lost worker " + p + " during the gradient exchange: it "
                    + "closed the connection (it failed or was stopped)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Worker " + rank + " lost worker " + p + " during the gradient exchange: "
                    + e, e);
        } catch (ExecutionException e) {
            throw new UncheckedIOException("Worker " + rank + " could not send its gradients: "
                    + e.getCause().getMessage(), new IOException(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Worker " + rank + " was interrupted during the gradient exchange", e);
        }
        return all;
    }

    /** Seconds spent in the exchange: sending and waiting for the peers' messages. */
    double seconds() {
        return nanos / 1e9;
    }

    /** Bytes received from the peers. */
    long bytes() {
        return bytes;
    }

    @Override
    public void close() {
        senders.shutdownNow();
        for (Socket s : peers) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // Closing on the way out: the peers see the end of the stream either way.
                }
            }
        }
    }
}
