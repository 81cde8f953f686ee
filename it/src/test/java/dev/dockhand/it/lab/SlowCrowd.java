package dev.dockhand.it.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A crowd of slow clients held on one port: some open a connection and send nothing, the others send the
 * first bytes of a request ({@code start}) and then nothing more. A connection the server closes is
 * opened again at once (at most one reopen per connection per 20 ms, two new connections per millisecond
 * over all), and so is a connect the server has
 * not taken within a second, so the crowd stays the same size for as long as it is held. One thread, one selector; every loop is bounded by {@link #close()} and by
 * {@code lifetime}; every socket it opened is closed by {@link #close()}.
 *
 * <p>Also a program, for measuring a port by hand without a build:
 * {@code java it/src/test/java/dev/dockhand/it/lab/SlowCrowd.java PORT [HALF_SENT] [IDLE] [SECONDS]} holds the
 * crowd on {@code 127.0.0.1:PORT} and times a fresh {@code GET /metrics} once a second.
 */
public final class SlowCrowd implements AutoCloseable {
    /** The head of an HTTP request without the blank line that ends it. */
    public static byte[] halfHttpRequest(String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slow\r\nX-Slow: ").getBytes(StandardCharsets.US_ASCII);
    }

    /** The first bytes of a Kafka request: a size of 64 bytes, then 6 of them. */
    public static byte[] halfKafkaRequest() {
        return new byte[] {0, 0, 0, 64, 0, 18, 0, 3, 0, 0};
    }

    /** The first bytes of a ZooKeeper connect request: a size of 44 bytes, then 6 of them. */
    public static byte[] halfZooKeeperConnect() {
        return new byte[] {0, 0, 0, 44, 0, 0, 0, 0, 0, 0};
    }

    /** New connections opened per round of the crowd's loop (a round: at least a millisecond). */
    private static final int PACE = 2;

    private final InetSocketAddress target;
    private final List<InetAddress> from;
    private final int size;
    private final int idle;
    private final byte[] start;
    private final long endNanos;
    private final Selector selector;
    private final Thread thread;
    private final List<Slot> slots = new ArrayList<>();
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong closedByServer = new AtomicLong();
    private volatile boolean closing;
    private volatile int live;
    private volatile Throwable failure;

    private final class Slot {
        final int index;
        SocketChannel ch;
        long reopenAt;
        long connectBy;
        boolean connected;

        Slot(int index) {
            this.index = index;
        }

        boolean halfSent() {
            return index >= idle;
        }
    }

    /**
     * Holds {@code halfSent} connections that send {@code start} and {@code idle} that send nothing to
     * {@code target} (loopback, or an address in a network namespace the caller made), spread over the
     * local addresses {@code from} (an empty list: the system's choice), for at most {@code lifetime}.
     */
    public SlowCrowd(InetSocketAddress target, List<InetAddress> from, int halfSent, int idle, byte[] start, Duration lifetime)
            throws IOException {
        if (!target.getAddress().isLoopbackAddress() && !target.getAddress().isSiteLocalAddress()) {
            throw new IllegalArgumentException("the crowd goes to loopback or a test's own namespace only, not " + target);
        }
        this.target = target;
        this.from = List.copyOf(from);
        this.size = halfSent + idle;
        this.idle = idle;
        this.start = start.clone();
        this.endNanos = System.nanoTime() + lifetime.toNanos();
        this.selector = Selector.open();
        for (int i = 0; i < this.size; i++) {
            slots.add(new Slot(i));
        }
        thread = new Thread(this::hold, "slow-crowd-" + target.getPort());
        thread.setDaemon(true);
        thread.start();
    }

    /** Why the crowd stopped holding its connections before it was closed, or null. */
    public Throwable failure() {
        return failure;
    }

    /** Connections open (connected) right now. */
    public int live() {
        return live;
    }

    /** Connections opened so far, reopens included. */
    public long opened() {
        return opened.get();
    }

    /** Connections the server closed, refused or did not take within a second, so far. */
    public long closedByServer() {
        return closedByServer.get();
    }

    /** Waits (at most {@code atMost}) until every connection of the crowd has been opened once. */
    public void awaitOpened(Duration atMost) throws InterruptedException {
        long until = System.nanoTime() + atMost.toNanos();
        while (opened.get() < size && System.nanoTime() < until) {
            Thread.sleep(20);
        }
    }

    private void hold() {
        ByteBuffer sink = ByteBuffer.allocate(4096);
        try {
            while (!closing && System.nanoTime() < endNanos) {
                long now = System.nanoTime();
                long nextReopen = Long.MAX_VALUE;
                int opening = 0;
                for (Slot s : slots) {
                    if (s.ch != null && !s.connected && s.connectBy <= now) {
                        drop(s); // a connect the server has not taken within a second: tried again
                    }
                    if (s.ch == null) {
                        // a few at a time: a burst of connects would overflow the server's accept queue
                        // (the exporter's is 3 long) and leave connections the client thinks open and
                        // the server never took
                        if (s.reopenAt <= now && opening < PACE) {
                            open(s);
                            opening++;
                        } else {
                            nextReopen = Math.min(nextReopen, Math.max(s.reopenAt, now + 1_000_000L));
                        }
                    }
                }
                long waitMs = nextReopen == Long.MAX_VALUE ? 100 : Math.max(1, Math.min(100, (nextReopen - now) / 1_000_000));
                selector.select(waitMs);
                for (SelectionKey k : selector.selectedKeys()) {
                    Slot s = (Slot) k.attachment();
                    try {
                        if (k.isConnectable()) {
                            if (!s.ch.finishConnect()) {
                                continue;
                            }
                            s.connected = true;
                            opened.incrementAndGet();
                            if (s.halfSent()) {
                                s.ch.write(ByteBuffer.wrap(start));
                            }
                            k.interestOps(SelectionKey.OP_READ);
                        } else if (k.isReadable()) {
                            sink.clear();
                            if (s.ch.read(sink) < 0) {
                                drop(s);
                            }
                        }
                    } catch (IOException | java.nio.channels.CancelledKeyException e) {
                        drop(s);
                    }
                }
                selector.selectedKeys().clear();
                live = (int) slots.stream().filter(x -> x.connected).count();
            }
        } catch (IOException | RuntimeException e) {
            failure = e; // the crowd ends; close() closes what is left
        }
    }

    private void open(Slot s) {
        try {
            SocketChannel ch = SocketChannel.open();
            s.ch = ch;
            s.connectBy = System.nanoTime() + 1_000_000_000L;
            ch.configureBlocking(false);
            if (!from.isEmpty()) {
                ch.bind(new InetSocketAddress(from.get(s.index % from.size()), 0));
            }
            if (ch.connect(target)) {
                s.connected = true;
                opened.incrementAndGet();
                if (s.halfSent()) {
                    ch.write(ByteBuffer.wrap(start));
                }
                ch.register(selector, SelectionKey.OP_READ, s);
            } else {
                ch.register(selector, SelectionKey.OP_CONNECT, s);
            }
        } catch (IOException e) {
            drop(s);
        }
    }

    private void drop(Slot s) {
        closedByServer.incrementAndGet();
        closeQuietly(s.ch);
        s.ch = null;
        s.connected = false;
        s.reopenAt = System.nanoTime() + 20_000_000L;
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        closing = true;
        selector.wakeup();
        thread.join(5000);
        for (Slot s : slots) {
            closeQuietly(s.ch);
            s.ch = null;
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /** A fresh client's exchange: what it read, and how long connect-to-last-byte took. */
    public record Answer(String text, Duration took, String failure) {
        public boolean ok() {
            return failure == null;
        }

        @Override
        public String toString() {
            return (ok() ? "answered" : "failed (" + failure + ")") + " in " + took.toMillis() + " ms";
        }
    }

    /**
     * One fresh connection to {@code target}: sends {@code request}, reads until the server closes or
     * {@code enough} bytes have come, everything under {@code deadline}.
     */
    public static Answer ask(InetSocketAddress target, byte[] request, int enough, Duration deadline) {
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            int ms = (int) Math.max(1, deadline.toMillis());
            s.connect(target, ms);
            s.setSoTimeout(ms);
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            long until = t0 + deadline.toNanos();
            while (got.size() < enough) {
                long left = (until - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return new Answer(got.toString(StandardCharsets.ISO_8859_1), Duration.ofNanos(System.nanoTime() - t0), "deadline passed after " + got.size() + " bytes");
                }
                s.setSoTimeout((int) left);
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                got.write(buf, 0, n);
            }
            return new Answer(got.toString(StandardCharsets.ISO_8859_1), Duration.ofNanos(System.nanoTime() - t0), null);
        } catch (IOException e) {
            return new Answer("", Duration.ofNanos(System.nanoTime() - t0), e.toString());
        }
    }

    /** A complete {@code GET path} that asks the server to close after answering. */
    public static byte[] httpGet(String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Kafka's ApiVersions request, version 0 (any broker answers it, before any authentication). */
    public static byte[] kafkaApiVersions(int correlationId) {
        byte[] client = "slow-crowd".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(4 + 2 + 2 + 4 + 2 + client.length);
        b.putInt(b.capacity() - 4).putShort((short) 18).putShort((short) 0).putInt(correlationId)
                .putShort((short) client.length).put(client);
        return b.array();
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int halfSent = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int idle = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int crowd = halfSent + idle;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        System.out.println("no crowd: " + ask(target, httpGet("/metrics"), Integer.MAX_VALUE, Duration.ofSeconds(10)));
        try (SlowCrowd c = new SlowCrowd(target, List.of(), halfSent, idle, halfHttpRequest("/metrics"), Duration.ofSeconds(seconds + 30))) {
            c.awaitOpened(Duration.ofSeconds(10));
            for (int i = 0; i < seconds; i++) {
                Answer a = ask(target, httpGet("/metrics"), Integer.MAX_VALUE, Duration.ofSeconds(10));
                boolean metrics = a.text().startsWith("HTTP/1.1 200") && a.text().contains("# TYPE");
                System.out.printf("t=%2ds half-sent=%d idle=%d live=%d opened=%d closed-by-server=%d%s  fresh GET /metrics: %s%s%n", i, halfSent,
                        idle, c.live(), c.opened(), c.closedByServer(), c.failure() == null ? "" : " crowd failed: " + c.failure(), a,
                        a.ok() && !metrics ? " (no metrics text)" : "");
                Thread.sleep(1000);
            }
        }
    }
}
