package dev.dockhand.agent.control;

import dev.dockhand.agent.net.RequestServer;
import dev.dockhand.agent.protocol.ControlReply;
import dev.dockhand.agent.protocol.Json;
import dev.dockhand.agent.protocol.Protocol.Request;
import dev.dockhand.agent.protocol.Protocol;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket: how it is bound (mode 0600 from the moment it appears, a stale one replaced, a
 * live one refused) and its protocol, one JSON request ended by a newline (or the client's end of
 * output) and one JSON reply, served by a {@link RequestServer}. A client that has not sent its
 * request within {@link #REQUEST_TIMEOUT_MS} is closed; idle clients hold no thread.
 */
final class ControlSocket implements RequestServer.Protocol {
    private static final Logger LOG = LoggerFactory.getLogger(ControlSocket.class);
    static final long REQUEST_TIMEOUT_MS = 10_000;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    /** Who may talk to the agent. */
    interface PeerPolicy {
        /** Null when allowed, else the refusal's message. */
        String refusal(UnixDomainPrincipal peer);
    }

    private final Path socket;
    private final RequestHandler handler;
    private final PeerPolicy policy;

    private ControlSocket(Path socket, RequestHandler handler, PeerPolicy policy) {
        this.socket = socket;
        this.handler = handler;
        this.policy = policy;
    }

    /**
     * Binds {@code socket} with mode 0600 (its directory made 0700 if missing); the listener to hand
     * to a {@link RequestServer}.
     */
    static RequestServer.Listener bind(Path socket, RequestHandler handler, PeerPolicy policyOrNull) throws IOException {
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
        PeerPolicy policy;
        try {
            policy = policyOrNull != null ? policyOrNull : sameUserOrRoot(abs);
        } catch (IOException e) {
            ch.close();
            Files.deleteIfExists(abs);
            throw e;
        }
        LOG.info("control: listening on {}", abs);
        return new RequestServer.Listener(ch, new ControlSocket(abs, handler, policy));
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

    // ------------------------------------------------------------------ the protocol

    @Override
    public int maxRequestBytes() {
        return Protocol.MAX_REQUEST_BYTES;
    }

    @Override
    public long requestTimeoutMillis() {
        return REQUEST_TIMEOUT_MS;
    }

    /** A request ends at its newline, or where the client stopped writing. */
    @Override
    public int requestEnd(byte[] buf, int length, boolean eof) {
        for (int i = 0; i < length; i++) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return eof ? length : -1;
    }

    /** Who asks, from the kernel ({@code SO_PEERCRED}): null when allowed, else the refusal to answer. */
    @Override
    public Object admit(SocketChannel c) {
        try {
            return policy.refusal(c.getOption(ExtendedSocketOptions.SO_PEERCRED));
        } catch (IOException | UnsupportedOperationException e) {
            return "permission denied: the agent cannot tell who is asking (" + e.getMessage() + ")";
        }
    }

    @Override
    public byte[] answer(byte[] request, int end, Object refusal) {
        ControlReply reply;
        if (refusal != null) {
            // the request was read anyway: closing with unread input makes the kernel reset the
            // connection, and the client would see a broken pipe instead of the refusal
            LOG.warn("control: refused a request: {}", refusal);
            reply = ControlReply.error(ControlReply.PERMISSION_DENIED, (String) refusal);
        } else {
            reply = answer(new String(request, 0, end, StandardCharsets.UTF_8));
        }
        return (Json.write(wire(reply), false) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] failure(RequestServer.Failure failure, int received) {
        return switch (failure) {
            case TOO_LARGE -> (Json.write(wire(ControlReply.error(ControlReply.BAD_REQUEST,
                    "request larger than " + Protocol.MAX_REQUEST_BYTES + " bytes")), false) + "\n").getBytes(StandardCharsets.UTF_8);
            case BUSY -> (Json.write(wire(ControlReply.error(ControlReply.INTERNAL, "the agent is busy; try again")), false)
                    + "\n").getBytes(StandardCharsets.UTF_8);
            default -> null; // silent or gone: nobody to answer
        };
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

    private ControlReply answer(String body) {
        Request r;
        try {
            r = Json.toRecord(Json.parse(body), Request.class);
        } catch (IllegalArgumentException | ClassCastException e) {
            return ControlReply.error(ControlReply.BAD_REQUEST,
                    "request is not a JSON object like {\"op\":\"status\"}: " + Redactor.redact(String.valueOf(e.getMessage())));
        }
        return handler.handle(r);
    }
}
