package dev.dockhand.agent.control;

import dev.dockhand.agent.control.Protocol.Request;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The CLI's side of the control socket. One request per connection. Kept light on purpose: it
 * loads the JSON mapper and the NIO channel classes, nothing of the supervisor, so that
 * {@code agent status} and {@code agent health} answer in about the JVM's own start time.
 */
public final class ControlClient {
    private final Path socket;

    public ControlClient(Path socket) {
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    public ControlReply status() throws ControlException {
        return send(new Request("status", null, false));
    }

    public ControlReply health() throws ControlException {
        return send(new Request("health", null, false));
    }

    public ControlReply ready() throws ControlException {
        return send(new Request("ready", null, false));
    }

    public ControlReply start(String service) throws ControlException {
        return send(new Request("start", service, false));
    }

    public ControlReply stop(String service, boolean force) throws ControlException {
        return send(new Request("stop", service, force));
    }

    public ControlReply restart(String service) throws ControlException {
        return send(new Request("restart", service, false));
    }

    public ControlReply reload() throws ControlException {
        return send(new Request("reload", null, false));
    }

    /** The snapshot as pretty-printed JSON, in the field names of the socket and HTTP {@code /status}. */
    public static String toJson(dev.dockhand.agent.supervise.AgentSnapshot snapshot) {
        try {
            return Protocol.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(snapshot);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the snapshot as JSON", e);
        }
    }

    /**
     * Sends one request and returns the reply, also when it says ok=false (refused, bad request).
     *
     * @throws ControlException NO_AGENT when there is no socket or nobody listens; PERMISSION_DENIED
     *     when the socket or the agent refuses this uid; PROTOCOL when the answer is not a reply
     */
    ControlReply send(Request request) throws ControlException {
        byte[] raw = exchange(request);
        ControlReply reply;
        try {
            reply = Protocol.JSON.readValue(raw, ControlReply.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new ControlException(ControlException.Kind.PROTOCOL,
                    "the agent at " + socket + " answered something that is not a reply: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ControlException(ControlException.Kind.PROTOCOL, "reading the agent's reply failed: " + e.getMessage(), e);
        }
        if (ControlReply.PERMISSION_DENIED.equals(reply.error())) {
            throw new ControlException(ControlException.Kind.PERMISSION_DENIED, reply.message());
        }
        return reply;
    }

    private byte[] exchange(Request request) throws ControlException {
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
            SocketServer.write(c, Protocol.JSON.writeValueAsBytes(request));
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
                throw new ControlException(ControlException.Kind.PROTOCOL,
                        "the agent at " + socket + " closed the connection without an answer (busy or shutting down)");
            }
            return out.toByteArray();
        } catch (ControlException e) {
            throw e;
        } catch (IOException e) {
            throw new ControlException(ControlException.Kind.PROTOCOL,
                    "talking to the agent at " + socket + " failed: " + e.getMessage(), e);
        }
    }

    private ControlException noAgent(String why) {
        return new ControlException(ControlException.Kind.NO_AGENT, "no agent is running (" + why + ")");
    }
}
