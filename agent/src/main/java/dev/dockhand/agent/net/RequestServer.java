package dev.dockhand.agent.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves requests on any number of listening channels (TCP or Unix domain, plain or TLS): the agent's
 * HTTP endpoints and its control socket, and the console's HTTP(S) port. One request per connection
 * unless the protocol keeps a connection for the next one ({@link Protocol#keepAliveMillis()}).
 *
 * <p>Whoever can reach a port can open connections and send nothing, or a byte now and then. So no
 * thread ever waits for a client: one selector thread accepts, reads and writes every connection
 * without blocking, and a request goes to a worker only once it is complete. A client that does not
 * send its whole request within its {@link Protocol#requestTimeoutMillis()} is answered (408 for HTTP)
 * and closed; one that does not read its answer within {@link #WRITE_TIMEOUT_MS} is closed. Each
 * listener holds at most {@link #MAX_CONNECTIONS} connections: at that limit a new connection closes
 * the oldest one still sending its request, so that a crowd of idle clients, however often they
 * reconnect, never keeps a probe out. Memory is bounded by the limit times the largest request.
 *
 * <p>Answers are computed by at most {@link #WORKERS} worker threads (they may wait briefly for the
 * supervisor); with {@link #QUEUED} answers waiting, a further request is answered "busy" at once.
 * Idle workers end after {@link #IDLE_WORKER_LIFE_MS}: PID 1 keeps no thread for a probe that comes
 * every ten seconds.
 *
 * <p>A listener with an {@link SSLContext} speaks TLS 1.2/1.3 ({@link TlsChannel}) on the same
 * selector thread: the handshake is part of the request, so its deadline covers the handshake too
 * (a client that opens a connection and never sends a ClientHello, or stops halfway, is closed at
 * the same deadline as one that never sends its request), and a handshaking connection counts
 * against the same limit and is evicted like any other. A client that speaks plain text to a TLS
 * port is read on in plain text, within the same deadline, and gets the protocol's
 * {@link Protocol#plainTextAnswer} (an agent's HTTP probe of {@code /readyz}, a pointer to https://
 * for anything else), never more than one answer, and is closed.
 * docs/adr/011-tls-in-the-request-server.md says why not a thread per connection.
 */
public final class RequestServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RequestServer.class);
    public static final int MAX_CONNECTIONS = 128;
    public static final int WORKERS = 2;
    static final int QUEUED = 64;
    public static final long WRITE_TIMEOUT_MS = 5_000;
    /** After the answer: how long unread input is drained, so that closing does not reset the answer away. */
    static final long LINGER_MS = 1_000;
    static final int MAX_DRAIN_BYTES = 65_536;
    static final long IDLE_WORKER_LIFE_MS = 5_000;

    /** Why a request got no answer of its own. */
    public enum Failure {
        /** Not complete within the protocol's request timeout. */
        TIMED_OUT,
        /** Larger than the protocol's maximum. */
        TOO_LARGE,
        /** The client closed before the request was complete. */
        CUT_SHORT,
        /** Every worker is busy and the queue is full. */
        BUSY
    }

    /** How one listener's requests are framed and answered. */
    public interface Protocol {
        /** Largest request accepted, in bytes. */
        int maxRequestBytes();

        /** How long a client may take, from connecting, to send its whole request. */
        long requestTimeoutMillis();

        /**
         * Where the request ends in {@code buf[0, length)} (exclusive), or -1 while it is incomplete.
         * {@code eof}: the client has closed its side and nothing more will come.
         */
        int requestEnd(byte[] buf, int length, boolean eof);

        /**
         * Runs on the server's thread when a connection is accepted (must not block); its result is
         * handed to {@link #answer}. For example who the peer is ({@code SO_PEERCRED}).
         */
        default Object admit(SocketChannel channel) {
            return null;
        }

        /** The answer to a complete request, on a worker thread. Must not throw. */
        byte[] answer(byte[] request, int end, Object admitted);

        /**
         * The answer when a request failed ({@code received} bytes of it had come), or null to close
         * without a word (a connection that sent nothing at all is a TCP connect check).
         */
        byte[] failure(Failure failure, int received);

        /**
         * How long a connection that has had its answer may wait for its next request; 0 (the
         * default): one request per connection.
         */
        default long keepAliveMillis() {
            return 0;
        }

        /**
         * Whether the connection stays open for another request after answering {@code request}
         * (on the server's thread, must not block); {@link #answer} must say the same to the client.
         */
        default boolean keepAlive(byte[] request, int end) {
            return false;
        }

        /**
         * On a TLS listener, the answer to a complete request that came in plain text, on a worker
         * (must not throw); null: closed without a word. For what may be said to anyone in clear
         * text (a readiness probe's answer), and otherwise a pointer to TLS.
         */
        default byte[] plainTextAnswer(byte[] request, int end) {
            return null;
        }
    }

    /**
     * A listening channel and how its connections are served.
     *
     * @param tls the context of a TLS listener (its key and certificates), or null for plain text
     */
    public record Listener(ServerSocketChannel channel, Protocol protocol, SSLContext tls) {
        public Listener(ServerSocketChannel channel, Protocol protocol) {
            this(channel, protocol, null);
        }
    }

    private final Selector selector;
    private final List<Bound> bound = new ArrayList<>();
    private final ThreadPoolExecutor workers;
    private final Queue<Runnable> fromWorkers = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    private RequestServer(String name, List<Listener> listeners) throws IOException {
        this.selector = Selector.open();
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(WORKERS, WORKERS, IDLE_WORKER_LIFE_MS, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUED), r -> daemon(r, name + "-" + n.incrementAndGet()));
        workers.allowCoreThreadTimeOut(true);
        for (Listener l : listeners) {
            Bound b = new Bound(l.channel(), l.protocol(), l.tls());
            l.channel().configureBlocking(false);
            l.channel().register(selector, SelectionKey.OP_ACCEPT, b);
            bound.add(b);
        }
        this.thread = daemon(this::loop, name + "-io");
    }

    /**
     * Serves {@code listeners} (bound, blocking or not) until {@link #close}; {@code name} names the
     * threads. The server owns the channels from here on and closes them.
     */
    public static RequestServer start(String name, List<Listener> listeners) throws IOException {
        RequestServer s;
        try {
            s = new RequestServer(name, listeners);
        } catch (IOException | RuntimeException e) {
            for (Listener l : listeners) {
                closeQuietly(l.channel());
            }
            throw e;
        }
        s.thread.start();
        return s;
    }

    /** Connections open now on every listener (for tests and figures). */
    public int openConnections() {
        int n = 0;
        for (Bound b : bound) {
            n += b.open.get();
        }
        return n;
    }

    // ------------------------------------------------------------------ the selector thread

    private void loop() {
        try {
            while (!closed) {
                long now = System.nanoTime();
                long wait = expire(now);
                selector.select(wait <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
                Runnable r;
                while ((r = fromWorkers.poll()) != null) {
                    r.run();
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    try {
                        ready(k);
                    } catch (CancelledKeyException e) {
                        // closed meanwhile
                    } catch (RuntimeException e) {
                        // one connection's failure must not end the thread, or every port falls silent
                        LOG.error("request server: a connection failed", e);
                        if (k.attachment() instanceof Conn c) {
                            c.close();
                        }
                    }
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closed) {
                LOG.error("request server: the selector failed; nothing is served any more", e);
            }
        } finally {
            for (SelectionKey k : selector.keys()) {
                if (k.attachment() instanceof Conn c) {
                    c.close();
                }
            }
        }
    }

    /** Closes (or answers) the connections past their deadline; nanoseconds until the next deadline, 0: none. */
    private long expire(long now) {
        long next = Long.MAX_VALUE;
        for (Bound b : bound) {
            for (Conn c : List.copyOf(b.conns)) {
                if (now - c.deadline >= 0) {
                    c.expired();
                }
                // an expired connection may live on with a new deadline (answered, now draining): it
                // counts too, or the selector could sleep past it with nothing else to wake it
                if (!c.closedConn && c.deadline - now > 0) {
                    next = Math.min(next, c.deadline - now);
                }
            }
        }
        return next == Long.MAX_VALUE ? 0 : next;
    }

    private void ready(SelectionKey k) throws CancelledKeyException {
        if (k.attachment() instanceof Bound b) {
            if (k.isAcceptable()) {
                b.accept();
            }
            return;
        }
        Conn c = (Conn) k.attachment();
        if (k.isReadable() || c.phase == Phase.READING) {
            c.readable(); // on TLS, OP_WRITE while reading is the handshake's output
        } else if (k.isWritable()) {
            c.writable();
        }
    }

    /** One listening channel, its protocol and its connections, oldest first. */
    private final class Bound {
        final ServerSocketChannel channel;
        final Protocol protocol;
        final SSLContext tls;
        final Set<Conn> conns = new LinkedHashSet<>();
        final AtomicInteger open = new AtomicInteger();

        Bound(ServerSocketChannel channel, Protocol protocol, SSLContext tls) {
            this.channel = channel;
            this.protocol = protocol;
            this.tls = tls;
        }

        void accept() {
            for (int i = 0; i < 64; i++) { // a burst, without starving the other listeners
                SocketChannel sc;
                try {
                    sc = channel.accept();
                } catch (IOException e) {
                    if (!closed) {
                        LOG.warn("request server: accept failed: {}", e.toString());
                    }
                    return;
                }
                if (sc == null) {
                    return;
                }
                if (conns.size() >= MAX_CONNECTIONS && !evictOldestReading()) {
                    closeQuietly(sc);
                    continue;
                }
                try {
                    sc.configureBlocking(false);
                    if (tls != null) {
                        // a handshake flight and a large answer are several TLS records, written one by
                        // one: with Nagle's algorithm each waits for the client's delayed ACK (40 ms)
                        sc.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                    }
                    Conn c = new Conn(this, sc, tls == null ? null : new TlsChannel(sc, TlsChannel.serverEngine(tls)));
                    c.key = sc.register(selector, SelectionKey.OP_READ, c);
                    conns.add(c);
                    open.incrementAndGet();
                    c.admitted = protocol.admit(sc);
                } catch (IOException | RuntimeException e) {
                    LOG.debug("request server: cannot take a connection: {}", e.toString());
                    closeQuietly(sc);
                }
            }
        }

        /** Closes the oldest connection still sending its request; false when there is none. */
        boolean evictOldestReading() {
            for (Conn c : conns) {
                if (c.phase == Phase.READING) {
                    LOG.debug("request server: {} connections open; closing the oldest idle one", conns.size());
                    c.close();
                    return true;
                }
            }
            return false;
        }
    }

    private enum Phase { READING, ANSWERING, WRITING, DRAINING }

    /** One connection; touched on the selector thread only. */
    private final class Conn {
        final Bound owner;
        final SocketChannel channel;
        /** Null on a plain listener. */
        final TlsChannel tls;
        SelectionKey key;
        Object admitted;
        Phase phase = Phase.READING;
        long deadline;
        byte[] request = new byte[512];
        int received;
        /** Where the request being answered ends in {@code request}; what follows is the next one's. */
        int answered;
        /** The answer being written keeps the connection for the next request. */
        boolean keep;
        /** Waiting for the next request on a kept connection, nothing of it come yet. */
        boolean idle;
        /** A plain-text client on a TLS listener: read and answered without TLS, one request, then closed. */
        boolean plainText;
        boolean closeNotifySent;
        ByteBuffer answer;
        int drained;
        boolean closedConn;

        Conn(Bound owner, SocketChannel channel, TlsChannel tls) {
            this.owner = owner;
            this.channel = channel;
            this.tls = tls;
            // from connecting: on TLS the handshake comes out of the same time
            this.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(owner.protocol.requestTimeoutMillis());
        }

        private int in(ByteBuffer dst) throws IOException {
            return tls == null || plainText ? channel.read(dst) : tls.read(dst);
        }

        void readable() {
            if (phase == Phase.DRAINING) {
                drain();
                return;
            }
            if (phase != Phase.READING) {
                return;
            }
            Protocol p = owner.protocol;
            int max = p.maxRequestBytes();
            boolean eof = false;
            int before = received;
            try {
                while (true) {
                    if (received == request.length) {
                        if (received >= max + 1) {
                            break;
                        }
                        byte[] bigger = new byte[Math.min(max + 1, request.length * 2)];
                        System.arraycopy(request, 0, bigger, 0, received);
                        request = bigger;
                    }
                    int n = in(ByteBuffer.wrap(request, received, request.length - received));
                    if (n < 0) {
                        eof = true;
                        break;
                    }
                    if (n == 0) {
                        break;
                    }
                    received += n;
                }
                if (tls != null && !plainText) {
                    key.interestOps(SelectionKey.OP_READ | (tls.pendingOutput() ? SelectionKey.OP_WRITE : 0));
                }
            } catch (IOException e) {
                // (TLS classes are resolved here only on a TLS listener: PID 1 serves plain HTTP and loads none)
                if (tls != null && !plainText && TlsChannel.isPlainText(e)) {
                    // read on in plain text: what came so far is the request's beginning
                    plainText = true;
                    byte[] so = tls.plainTextSoFar();
                    request = java.util.Arrays.copyOf(so, Math.max(512, Math.min(so.length, max + 1)));
                    received = Math.min(so.length, max + 1);
                    key.interestOps(SelectionKey.OP_READ);
                    readable();
                    return;
                }
                if (tls != null) {
                    LOG.debug("request server: TLS connection failed: {}", e.getMessage());
                }
                close();
                return;
            }
            if (idle && received > before) {
                // the next request has begun: from here it has the protocol's time, like a first one
                idle = false;
                deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(p.requestTimeoutMillis());
            }
            int end = p.requestEnd(request, Math.min(received, max), eof);
            if (end >= 0) {
                startAnswer(end);
            } else if (received > max) {
                fail(Failure.TOO_LARGE);
            } else if (eof) {
                if (idle && received == 0) {
                    close(); // a kept connection the client has closed
                } else {
                    fail(Failure.CUT_SHORT);
                }
            }
        }

        void startAnswer(int end) {
            phase = Phase.ANSWERING;
            key.interestOps(0);
            byte[] req = request;
            Object adm = admitted;
            boolean plain = plainText;
            boolean keepIt = !plain && owner.protocol.keepAliveMillis() > 0 && owner.protocol.keepAlive(req, end);
            answered = end;
            try {
                workers.execute(() -> {
                    byte[] a;
                    try {
                        a = plain ? owner.protocol.plainTextAnswer(req, end) : owner.protocol.answer(req, end, adm);
                    } catch (RuntimeException e) {
                        LOG.error("request server: answering failed", e);
                        a = null;
                    }
                    byte[] out = a;
                    fromWorkers.add(() -> send(out, keepIt));
                    selector.wakeup();
                });
            } catch (RejectedExecutionException e) {
                send(owner.protocol.failure(Failure.BUSY, received), false);
            }
        }

        void fail(Failure f) {
            if (tls != null && !tls.handshakeDone() && !plainText) {
                close(); // no TLS session to answer in
                return;
            }
            byte[] a = owner.protocol.failure(f, received);
            if (a == null) {
                close();
            } else {
                send(a, false);
            }
        }

        void expired() {
            switch (phase) {
                case READING -> {
                    if (idle) {
                        close(); // a kept connection with no next request: closed without a word
                    } else {
                        fail(Failure.TIMED_OUT);
                    }
                }
                case ANSWERING -> {
                    // the worker still has it; its answer goes out when it comes
                }
                default -> close();
            }
        }

        void send(byte[] bytes, boolean keepIt) {
            if (closedConn) {
                return;
            }
            if (bytes == null) {
                close();
                return;
            }
            keep = keepIt;
            if (!keep) {
                request = null; // not needed any more
            }
            answer = ByteBuffer.wrap(bytes);
            phase = Phase.WRITING;
            deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WRITE_TIMEOUT_MS);
            writable();
        }

        void writable() {
            if (phase != Phase.WRITING) {
                return;
            }
            try {
                if (tls != null && !plainText) {
                    tls.write(answer);
                    if (!answer.hasRemaining() && !keep && !closeNotifySent) {
                        closeNotifySent = true;
                        tls.closeOutbound();
                    }
                    if (answer.hasRemaining() || tls.pendingOutput()) {
                        key.interestOps(SelectionKey.OP_WRITE);
                        return;
                    }
                } else {
                    channel.write(answer);
                    if (answer.hasRemaining()) {
                        key.interestOps(SelectionKey.OP_WRITE);
                        return;
                    }
                }
            } catch (IOException e) {
                close();
                return;
            }
            if (keep) {
                nextRequest();
                return;
            }
            // Half-close, then drop what the client still sends until it closes too (it does on
            // reading the answer): closing with unread input would make the kernel reset the
            // connection, and the reset can overtake the answer.
            try {
                channel.shutdownOutput();
            } catch (IOException e) {
                close();
                return;
            }
            phase = Phase.DRAINING;
            deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MS);
            key.interestOps(SelectionKey.OP_READ);
            drain();
        }

        /** The answer is out and the connection stays: back to reading, with what already came of the next request. */
        void nextRequest() {
            int left = received - answered;
            byte[] next = new byte[Math.max(512, left)];
            System.arraycopy(request, answered, next, 0, left);
            request = next;
            received = left;
            answered = 0;
            answer = null;
            phase = Phase.READING;
            idle = left == 0;
            deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
                    idle ? owner.protocol.keepAliveMillis() : owner.protocol.requestTimeoutMillis());
            key.interestOps(SelectionKey.OP_READ);
            readable(); // a pipelined request, or one TLS already decrypted, is here with no event to come
        }

        void drain() {
            ByteBuffer b = ByteBuffer.allocate(4096);
            try {
                while (drained < MAX_DRAIN_BYTES) {
                    b.clear();
                    int n = channel.read(b); // on TLS too: what comes now is not read, only dropped
                    if (n < 0) {
                        close();
                        return;
                    }
                    if (n == 0) {
                        return;
                    }
                    drained += n;
                }
            } catch (IOException e) {
                // gone
            }
            close();
        }

        void close() {
            if (closedConn) {
                return;
            }
            closedConn = true;
            if (key != null) {
                key.cancel();
            }
            closeQuietly(channel);
            if (owner.conns.remove(this)) {
                owner.open.decrementAndGet();
            }
        }
    }

    // ------------------------------------------------------------------ closing

    /** Stops accepting, closes every listener and connection, and waits briefly for the threads. */
    @Override
    public void close() {
        closed = true;
        for (Bound b : bound) {
            closeQuietly(b.channel);
        }
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(selector);
        workers.shutdownNow();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
