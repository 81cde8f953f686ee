package dev.dockhand.agent.control;

import dev.dockhand.agent.control.Protocol.Request;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket: accepts on one thread, answers each connection on a small pool, closes a
 * connection that has not sent its request within {@link #REQUEST_TIMEOUT_MS}.
 */
final class SocketServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SocketServer.class);
    static final long REQUEST_TIMEOUT_MS = 10_000;
    /** How long a worker or timeout thread with nothing to do lives on. */
    static final long IDLE_THREAD_LIFE_MS = 5_000;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    /** Who may talk to the agent. */
    interface PeerPolicy {
        /** Null when allowed, else the refusal's message. */
        String refusal(UnixDomainPrincipal peer);
    }

    private final Path socket;
    private final ServerSocketChannel server;
    private final RequestHandler handler;
    private final PeerPolicy policy;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService watchdog;
    private final Thread acceptor;
    private volatile boolean closed;

    private SocketServer(Path socket, ServerSocketChannel server, RequestHandler handler, PeerPolicy policy) {
        this.socket = socket;
        this.server = server;
        this.handler = handler;
        this.policy = policy;
        AtomicInteger n = new AtomicInteger();
        // Both pools end their threads after IDLE_THREAD_LIFE without work: Docker's HEALTHCHECK asks
        // every 10 s, and two threads kept for that in PID 1 would cost about 0.25 MiB all day.
        this.workers = new ThreadPoolExecutor(
                1, 4, IDLE_THREAD_LIFE_MS, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(64),
                r -> daemon(r, "control-socket-" + n.incrementAndGet()));
        workers.allowCoreThreadTimeOut(true);
        ScheduledThreadPoolExecutor timeouts = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "control-socket-timeout"));
        timeouts.setKeepAliveTime(IDLE_THREAD_LIFE_MS, TimeUnit.MILLISECONDS);
        timeouts.allowCoreThreadTimeOut(true);
        timeouts.setRemoveOnCancelPolicy(true);
        this.watchdog = timeouts;
        this.acceptor = daemon(this::acceptLoop, "control-socket-accept");
    }

    /** Binds {@code socket} with mode 0600 (its directory made 0700 if missing) and starts serving. */
    static SocketServer start(Path socket, RequestHandler handler, PeerPolicy policyOrNull) throws IOException {
        Path abs = socket.toAbsolutePath();
        Path dir = abs.getParent();
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (IOException e) {
                throw new IOException("cannot create the control socket's directory " + dir + ": " + e.getMessage()
                        + "; create it (mode 0700, owned by the agent's user) or choose another path with --socket", e);
            }
        }
        removeStale(abs);
        // Bind under a temporary name, set the mode, then rename: the socket never exists at its
        // real path with the umask's (wider) mode.
        Path tmp = dir.resolve("." + abs.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.deleteIfExists(tmp);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(tmp), 16);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            ch.close();
            Files.deleteIfExists(tmp);
            throw new IOException("cannot create the control socket " + abs + ": " + e.getMessage(), e);
        }
        PeerPolicy policy = policyOrNull != null ? policyOrNull : sameUserOrRoot(abs);
        SocketServer s = new SocketServer(abs, ch, handler, policy);
        s.acceptor.start();
        LOG.info("control: listening on {}", abs);
        return s;
    }

    /**
     * A socket file left by an agent that died is removed; a live one (someone answers) or a path
     * that is not a socket is an error, so that two agents never share a socket and a typo never
     * deletes a regular file.
     */
    private static void removeStale(Path socket) throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new FileAlreadyExistsException(socket.toString(), null,
                    "exists and is not a socket; remove it or choose another path with --socket");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            throw new IOException("another agent is already serving " + socket
                    + "; stop it or choose another path with --socket");
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("another agent")) {
                throw e;
            }
            Files.deleteIfExists(socket);
        }
    }

    /** The agent's own user (the socket file's owner, whatever its name) and root may ask; no one else. */
    static PeerPolicy sameUserOrRoot(Path socket) throws IOException {
        UserPrincipal self = Files.getOwner(socket, LinkOption.NOFOLLOW_LINKS);
        int selfUid = (Integer) Files.getAttribute(socket, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        UserPrincipal root = lookupRoot(socket);
        String refusal = "permission denied: the agent runs as uid " + selfUid + "; run this as that user or root";
        return peer -> peer.user().equals(self) || (root != null && peer.user().equals(root)) ? null : refusal;
    }

    private static UserPrincipal lookupRoot(Path anyPath) {
        var lookup = anyPath.getFileSystem().getUserPrincipalLookupService();
        try {
            return lookup.lookupPrincipalByName("root");
        } catch (IOException | RuntimeException e) {
            try {
                return lookup.lookupPrincipalByName("0"); // numeric ids are accepted when /etc/passwd lacks root
            } catch (IOException | RuntimeException e2) {
                return null;
            }
        }
    }

    Path socket() {
        return socket;
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                LOG.warn("control: accept on {} failed: {}", socket, e.toString());
                continue;
            }
            try {
                workers.execute(() -> serve(c));
            } catch (RejectedExecutionException e) {
                closeQuietly(c); // overloaded: the client sees EOF and reports a protocol error
            }
        }
    }

    private void serve(SocketChannel c) {
        ScheduledFuture<?> timeout = watchdog.schedule(() -> closeQuietly(c), REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        try (c) {
            String refusal;
            try {
                refusal = policy.refusal(c.getOption(ExtendedSocketOptions.SO_PEERCRED));
            } catch (IOException | UnsupportedOperationException e) {
                refusal = "permission denied: the agent cannot tell who is asking (" + e.getMessage() + ")";
            }
            // Read the request even when refusing: closing with unread input makes the kernel reset
            // the connection, and the client would see a broken pipe instead of the refusal.
            byte[] request = readRequest(c);
            ControlReply reply;
            if (refusal != null) {
                LOG.warn("control: refused a request: {}", refusal);
                reply = ControlReply.error(ControlReply.PERMISSION_DENIED, refusal);
            } else {
                reply = answer(request);
            }
            write(c, Json.write(wire(reply), false).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("control: connection ended early: {}", e.toString());
            }
        } finally {
            timeout.cancel(false);
        }
    }

    /** The reply as it goes on the wire: its null fields left out (the snapshot keeps its own nulls). */
    static java.util.Map<String, Object> wire(ControlReply reply) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("ok", reply.ok());
        if (reply.error() != null) {
            m.put("error", reply.error());
        }
        if (reply.message() != null) {
            m.put("message", reply.message());
        }
        if (reply.snapshot() != null) {
            m.put("snapshot", reply.snapshot());
        }
        return m;
    }

    private ControlReply answer(byte[] body) {
        Request r;
        try {
            r = Json.toRecord(Json.parse(new String(body, java.nio.charset.StandardCharsets.UTF_8)), Request.class);
        } catch (IllegalArgumentException | ClassCastException e) {
            return ControlReply.error(ControlReply.BAD_REQUEST,
                    "request is not a JSON object like {\"op\":\"status\"}: " + Redactor.redact(String.valueOf(e.getMessage())));
        }
        return handler.handle(r);
    }

    /** Reads until a newline or the client's end of output, whichever comes first. */
    static byte[] readRequest(SocketChannel c) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (out.size() <= Protocol.MAX_REQUEST_BYTES) {
            buf.clear();
            int n = c.read(buf);
            if (n < 0) {
                break;
            }
            byte[] a = buf.array();
            for (int i = 0; i < n; i++) {
                if (a[i] == '\n') {
                    out.write(a, 0, i);
                    return out.toByteArray();
                }
            }
            out.write(a, 0, n);
        }
        if (out.size() > Protocol.MAX_REQUEST_BYTES) {
            throw new IOException("request larger than " + Protocol.MAX_REQUEST_BYTES + " bytes");
        }
        return out.toByteArray();
    }

    static void write(SocketChannel c, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            c.write(b);
        }
        c.write(ByteBuffer.wrap(new byte[] {'\n'}));
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        workers.shutdownNow();
        watchdog.shutdownNow();
        try {
            acceptor.join(2000);
            Files.deleteIfExists(socket);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.warn("control: cannot remove {}: {}", socket, e.toString());
        }
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
