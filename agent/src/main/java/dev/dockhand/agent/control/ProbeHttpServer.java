package dev.dockhand.agent.control;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server for probes and scrapers: one request per connection, answered by a
 * {@link Handler} and closed ({@code Connection: close}), which Kubernetes probes and Prometheus
 * handle. Request headers and bodies are read and ignored.
 *
 * <p>It answers whatever reaches the port, so every connection is bounded: a request head of at most
 * {@value #MAX_HEAD_BYTES} bytes (else 431), all of it within {@value #READ_TIMEOUT_MS} ms (else 408:
 * a client that sends nothing, or a byte now and then, cannot keep a thread), and after the answer at
 * most {@value #MAX_DRAIN_BYTES} bytes more for {@value #LINGER_MS} ms. {@value #THREADS} threads each
 * accept and answer in turn, so a slow answer (a busy supervisor behind {@code /status}) or a silent
 * client never holds up a {@code /livez} on the other; the kernel's listen backlog of
 * {@value #BACKLOG} bounds what waits, and nothing else queues.
 *
 * <p>Why not the JDK's {@code com.sun.net.httpserver}: PID 1 keeps what it loads, and that server
 * brings about 60 classes of its own, a dispatcher thread and, at its first answer, the CLDR locale
 * providers, calendars and zone names for its Date header (about 150 classes).
 */
final class ProbeHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeHttpServer.class);
    static final int THREADS = 2;
    static final int BACKLOG = 16;
    static final int MAX_HEAD_BYTES = 8192;
    static final long READ_TIMEOUT_MS = 5000;
    static final int MAX_DRAIN_BYTES = 65_536;
    static final long LINGER_MS = 1000;
    private static final String TEXT = "text/plain; charset=utf-8";

    /** Answers one request. Called on the server's threads, up to {@value #THREADS} at a time. */
    interface Handler {
        /**
         * {@code method} as sent (case matters); {@code path} percent-decoded, without query or
         * fragment, always starting with {@code /}. The server leaves out the body for HEAD.
         */
        Response answer(String method, String path);
    }

    /** Status, content type, body and, for 405, the methods allowed. */
    static final class Response {
        final int code;
        final String type;
        final byte[] body;
        final String allow;

        Response(int code, String type, String body, String allowOrNull) {
            this.code = code;
            this.type = type;
            this.body = body.getBytes(StandardCharsets.UTF_8);
            this.allow = allowOrNull;
        }

        Response(int code, String type, String body) {
            this(code, type, body, null);
        }
    }

    private final ServerSocket server;
    private final InetSocketAddress address;
    private final Handler handler;
    private final long readTimeoutMs;
    private final Thread[] threads = new Thread[THREADS];
    /** The connection each thread is answering, closed by {@link #close} so that no thread waits on it. */
    private final Socket[] serving = new Socket[THREADS];
    private volatile boolean closed;

    private ProbeHttpServer(ServerSocket server, Handler handler, long readTimeoutMs) {
        this.server = server;
        this.address = (InetSocketAddress) server.getLocalSocketAddress();
        this.handler = handler;
        this.readTimeoutMs = readTimeoutMs;
    }

    /** Binds {@code address} (port 0: any free port) and starts answering. */
    static ProbeHttpServer start(InetSocketAddress address, Handler handler) throws IOException {
        return start(address, handler, READ_TIMEOUT_MS);
    }

    /* test */ static ProbeHttpServer start(InetSocketAddress address, Handler handler, long readTimeoutMs)
            throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.bind(address, BACKLOG);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        ProbeHttpServer s = new ProbeHttpServer(socket, handler, readTimeoutMs);
        for (int i = 0; i < THREADS; i++) {
            int slot = i;
            Thread t = new Thread(() -> s.work(slot), "control-http-" + (i + 1));
            t.setDaemon(true);
            s.threads[i] = t;
        }
        for (Thread t : s.threads) {
            t.start();
        }
        return s;
    }

    /** Where it listens, with the real port when 0 was asked. */
    InetSocketAddress address() {
        return address;
    }

    private void work(int slot) {
        while (!closed) {
            Socket c = accept();
            if (c == null) {
                continue;
            }
            if (!serving(slot, c)) {
                closeQuietly(c);
                return;
            }
            try (c) {
                serve(c);
            } catch (IOException e) {
                if (!closed) {
                    LOG.debug("control: HTTP connection ended early: {}", e.toString());
                }
            } catch (RuntimeException e) {
                // one connection's failure must not end the thread, or the port would fall silent
                LOG.error("control: HTTP connection failed", e);
            } finally {
                serving(slot, null);
            }
        }
    }

    /** The next connection, or null when accepting failed (or the server closed: the loop ends). */
    private Socket accept() {
        try {
            return server.accept();
        } catch (IOException e) {
            if (!closed) {
                LOG.warn("control: HTTP accept failed: {}", e.toString());
                pause(); // out of file descriptors, say: do not spin on it
            }
            return null;
        }
    }

    /** Records what {@code slot} answers; false when the server closed meanwhile. */
    private boolean serving(int slot, Socket c) {
        synchronized (serving) {
            if (c != null && closed) {
                return false;
            }
            serving[slot] = c;
            return true;
        }
    }

    /** Reads one request head, answers it and drains what else the client sends. */
    private void serve(Socket c) throws IOException {
        InputStream in = c.getInputStream();
        byte[] buf = new byte[MAX_HEAD_BYTES];
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(readTimeoutMs);
        int n = 0;
        int end = -1;
        while (end < 0) {
            if (n == buf.length) {
                write(c, new Response(431, TEXT, "request head larger than " + MAX_HEAD_BYTES + " bytes\n"), false);
                drain(c, buf);
                return;
            }
            int read;
            try {
                read = read(c, in, buf, n, buf.length - n, deadline);
            } catch (SocketTimeoutException e) {
                write(c, new Response(408, TEXT, "no complete request within " + readTimeoutMs + " ms\n"), false);
                return;
            }
            if (read < 0) {
                if (n > 0) {
                    write(c, new Response(400, TEXT, "request cut short\n"), false);
                }
                return; // nothing at all: a TCP connect check
            }
            end = endOfHead(buf, n, n + read);
            n += read;
        }
        String line = requestLine(buf, end);
        Response r;
        String method = null;
        int sp1 = line.indexOf(' ');
        int sp2 = line.indexOf(' ', sp1 + 1);
        String version = sp2 < 0 ? "" : line.substring(sp2 + 1);
        if (sp1 <= 0 || sp2 < 0 || !isToken(line, 0, sp1) || !isVersion(version)) {
            r = new Response(400, TEXT, "malformed request line; expected METHOD /path HTTP/1.1\n");
        } else if (version.charAt(5) != '1') {
            r = new Response(505, TEXT, "HTTP/1.1 only\n");
        } else {
            method = line.substring(0, sp1);
            String path = path(line.substring(sp1 + 1, sp2));
            r = path == null
                    ? new Response(400, TEXT, "malformed request target; expected a path such as /livez\n")
                    : handler.answer(method, path);
        }
        write(c, r, "HEAD".equals(method));
        drain(c, buf);
    }

    /** Reads before {@code deadline}, else throws {@link SocketTimeoutException}. */
    private static int read(Socket c, InputStream in, byte[] b, int off, int len, long deadline) throws IOException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new SocketTimeoutException("read timed out");
        }
        c.setSoTimeout((int) left);
        return in.read(b, off, len);
    }

    /**
     * Where the head ends (just after its empty line) if it ends in {@code b[from, to)}, else -1. Bare
     * LF line ends count too, as RFC 9112 allows.
     */
    static int endOfHead(byte[] b, int from, int to) {
        for (int i = Math.max(from, 1); i < to; i++) {
            if (b[i] == '\n' && (b[i - 1] == '\n' || (b[i - 1] == '\r' && i >= 2 && b[i - 2] == '\n'))) {
                return i + 1;
            }
        }
        return -1;
    }

    /** The head's first line without its line end, skipping empty lines before it (RFC 9112 2.2). */
    private static String requestLine(byte[] head, int end) {
        int start = 0;
        while (start < end && (head[start] == '\r' || head[start] == '\n')) {
            start++;
        }
        int stop = start;
        while (stop < end && head[stop] != '\n') {
            stop++;
        }
        if (stop > start && head[stop - 1] == '\r') {
            stop--;
        }
        return new String(head, start, stop - start, StandardCharsets.ISO_8859_1);
    }

    /** {@code HTTP/d.d}; any 1.x is answered as 1.1 (RFC 9110 section 2.5). */
    private static boolean isVersion(String v) {
        return v.length() == 8 && v.startsWith("HTTP/") && isDigit(v.charAt(5)) && v.charAt(6) == '.' && isDigit(v.charAt(7));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isToken(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The path of a request target in origin form ({@code /status?x=1}) or absolute form
     * ({@code http://host:9800/status}), without query or fragment and percent-decoded; null when
     * malformed (or {@code *}, or another form).
     */
    static String path(String target) {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return null;
            }
        }
        String t = target;
        if (!t.startsWith("/")) {
            int scheme = t.regionMatches(true, 0, "http://", 0, 7) ? 7 : t.regionMatches(true, 0, "https://", 0, 8) ? 8 : -1;
            if (scheme < 0) {
                return null;
            }
            int slash = scheme;
            while (slash < t.length() && "/?#".indexOf(t.charAt(slash)) < 0) {
                slash++;
            }
            t = slash < t.length() && t.charAt(slash) == '/' ? t.substring(slash) : "/";
        }
        int query = 0;
        while (query < t.length() && t.charAt(query) != '?' && t.charAt(query) != '#') {
            query++;
        }
        return decode(t.substring(0, query));
    }

    private static String decode(String path) {
        if (path.indexOf('%') < 0) {
            return path;
        }
        byte[] out = new byte[path.length()];
        int n = 0;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%') {
                int hi = i + 2 < path.length() ? Character.digit(path.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(path.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    return null;
                }
                out[n++] = (byte) (hi * 16 + lo);
                i += 2;
            } else {
                out[n++] = (byte) c;
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    /** The whole answer in one write; for HEAD the headers only, with the length GET would send. */
    private static void write(Socket c, Response r, boolean headOnly) throws IOException {
        StringBuilder h = new StringBuilder(192)
                .append("HTTP/1.1 ").append(r.code).append(' ').append(reason(r.code))
                .append("\r\nDate: ").append(HttpDate.format(System.currentTimeMillis()))
                .append("\r\nContent-Type: ").append(r.type)
                .append("\r\nCache-Control: no-store\r\n");
        if (r.allow != null) {
            h.append("Allow: ").append(r.allow).append("\r\n");
        }
        h.append("Content-Length: ").append(r.body.length).append("\r\nConnection: close\r\n\r\n");
        byte[] head = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        int bodyLength = headOnly ? 0 : r.body.length;
        byte[] all = new byte[head.length + bodyLength];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(r.body, 0, all, head.length, bodyLength);
        OutputStream out = c.getOutputStream();
        out.write(all);
        out.flush();
    }

    static String reason(int code) {
        return switch (code) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Unknown";
        };
    }

    /**
     * Closing a connection with unread input makes the kernel reset it, and the reset can overtake
     * the answer: a client that sent a body (a POST, answered 405) or too long a head (431) would see
     * "connection reset" instead. So half-close first and drop what still comes until the client
     * closes too, which it does on reading the answer, within bounds.
     */
    private static void drain(Socket c, byte[] buf) {
        try {
            c.shutdownOutput();
            InputStream in = c.getInputStream();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MS);
            for (int total = 0; total < MAX_DRAIN_BYTES; ) {
                int n = read(c, in, buf, 0, buf.length, deadline);
                if (n < 0) {
                    return;
                }
                total += n;
            }
        } catch (IOException e) {
            // the client is slow or gone: close regardless
        }
    }

    /** Stops accepting, closes the port and every open connection, and waits briefly for the threads. */
    @Override
    public void close() {
        synchronized (serving) {
            closed = true;
            for (Socket c : serving) {
                if (c != null) {
                    closeQuietly(c);
                }
            }
        }
        closeQuietly(server);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        try {
            for (Thread t : threads) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left > 0) {
                    t.join(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }
}
