package dev.dockhand.agent.control;

import dev.dockhand.agent.protocol.ControlReply;
import dev.dockhand.agent.protocol.Json;
import dev.dockhand.agent.protocol.Protocol;
import dev.dockhand.agent.protocol.AgentSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CLI's side of the control socket. One request per connection. Kept light on purpose: no
 * Jackson, no logging, nothing of the supervisor (see {@link Json}), so that {@code agent status}
 * and {@code agent health} answer in little more than the JVM's own start time.
 */
public final class ControlClient {
    /** Longer than the server's own 10 s request timeout, so a slow answer still arrives. */
    static final long ANSWER_TIMEOUT_MS = 15_000;

    private final Path socket;
    private final long answerTimeoutMs;

    public ControlClient(Path socket) {
        this(socket, ANSWER_TIMEOUT_MS);
    }

    /* test */ ControlClient(Path socket, long answerTimeoutMs) {
        this.socket = socket;
        this.answerTimeoutMs = answerTimeoutMs;
    }

    public Path socket() {
        return socket;
    }

    public ControlReply status() throws ControlException {
        return send("status", null, false);
    }

    public ControlReply health() throws ControlException {
        return send("health", null, false);
    }

    public ControlReply ready() throws ControlException {
        return send("ready", null, false);
    }

    public ControlReply start(String service) throws ControlException {
        return send("start", service, false);
    }

    public ControlReply stop(String service, boolean force) throws ControlException {
        return send("stop", service, force);
    }

    public ControlReply restart(String service) throws ControlException {
        return send("restart", service, false);
    }

    public ControlReply reload() throws ControlException {
        return send("reload", null, false);
    }

    /** The snapshot as pretty-printed JSON, in the field names of the socket and HTTP {@code /status}. */
    public static String toJson(AgentSnapshot snapshot) {
        return Json.write(snapshot, true);
    }

    /**
     * Sends one request and returns the reply, also when it says ok=false (refused, bad request).
     *
     * @throws ControlException NO_AGENT when there is no socket or nobody listens; PERMISSION_DENIED
     *     when the socket or the agent refuses this uid; PROTOCOL when the answer is not a reply
     */
    ControlReply send(String op, String service, boolean force) throws ControlException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("op", op);
        if (service != null) {
            request.put("service", service);
        }
        if (force) {
            request.put("force", true);
        }
        String raw = new String(exchange(Json.write(request, false)), StandardCharsets.UTF_8);
        ControlReply reply;
        try {
            if (!(Json.parse(raw) instanceof Map<?, ?> m) || !(m.get("ok") instanceof Boolean ok)) {
                throw new IllegalArgumentException("not an object with \"ok\"");
            }
            reply = new ControlReply(ok, (String) m.get("error"), (String) m.get("message"),
                    m.get("snapshot") == null ? null : Json.toRecord(m.get("snapshot"), AgentSnapshot.class));
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new ControlException(ControlException.Kind.PROTOCOL,
                    "the agent at " + socket + " answered something that is not a reply: " + e.getMessage(), e);
        }
        if (ControlReply.PERMISSION_DENIED.equals(reply.error())) {
            throw new ControlException(ControlException.Kind.PERMISSION_DENIED, reply.message());
        }
        return reply;
    }

    private byte[] exchange(String request) throws ControlException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                c.connect(UnixDomainSocketAddress.of(socket));
            } catch (ConnectException e) {
                throw noAgent("nobody listens on " + socket);
            } catch (SocketException e) {
                String m = String.valueOf(e.getMessage());
                if (m.contains("No such file") || m.contains("Not a directory")) {
                    throw noAgent("no socket at " + socket);
                }
                if (m.contains("Permission denied") || m.contains("Operation not permitted")) {
                    throw new ControlException(ControlException.Kind.PERMISSION_DENIED,
                            "permission denied: cannot open the agent's socket " + socket
                                    + "; run this as the agent's user or root", e);
                }
                throw noAgent("cannot connect to " + socket + ": " + m);
            }
            // A hung agent (accepting but never answering) must not hang a HEALTHCHECK forever.
            Thread timer = new Thread(() -> {
                try {
                    Thread.sleep(answerTimeoutMs);
                    c.close();
                } catch (InterruptedException | IOException ignored) {
                    // answered in time, or already closed
                }
            }, "control-client-timeout");
            timer.setDaemon(true);
            timer.start();
            try {
                return talk(c, request);
            } catch (java.nio.channels.AsynchronousCloseException e) {
                throw new ControlException(ControlException.Kind.PROTOCOL,
                        "the agent at " + socket + " did not answer within " + answerTimeoutMs + " ms", e);
            } catch (ControlException e) {
                throw e;
            } catch (IOException e) {
                // broken pipe or reset: the agent hung up before answering
                throw closedWithoutAnswer(e);
            } finally {
                timer.interrupt();
            }
        } catch (ControlException e) {
            throw e;
        } catch (IOException e) {
            throw new ControlException(ControlException.Kind.PROTOCOL,
                    "talking to the agent at " + socket + " failed: " + e.getMessage(), e);
        }
    }

    private byte[] talk(SocketChannel c, String request) throws IOException {
        {
            ByteBuffer req = ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8));
            while (req.hasRemaining()) {
                c.write(req);
            }
            c.shutdownOutput();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
            int n;
            while ((n = c.read(buf)) >= 0) {
                out.write(buf.array(), 0, n);
                buf.clear();
                if (out.size() > Protocol.MAX_REPLY_BYTES) {
                    throw new ControlException(ControlException.Kind.PROTOCOL, "the agent's reply is too large");
                }
            }
            if (out.size() == 0) {
                throw closedWithoutAnswer(null);
            }
            return out.toByteArray();
        }
    }

    private ControlException closedWithoutAnswer(IOException cause) {
        return new ControlException(ControlException.Kind.PROTOCOL,
                "the agent at " + socket + " closed the connection without an answer (busy or shutting down)", cause);
    }

    private ControlException noAgent(String why) {
        return new ControlException(ControlException.Kind.NO_AGENT, "no agent is running (" + why + ")");
    }
}
