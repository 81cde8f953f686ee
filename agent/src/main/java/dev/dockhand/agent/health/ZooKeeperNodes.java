package dev.dockhand.agent.health;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Asks ZooKeeper whether a znode exists, and which session owns it when it is ephemeral: the smallest
 * part of ZooKeeper's client protocol that does it (connect, {@code exists}, close the session), no
 * ZooKeeper jar in the agent. {@code exists} needs no permission, so a znode under Kafka's ACLs
 * answers too; on a secured ensemble the connection is TLS with the node's certificate, as for the
 * four-letter words. The session is closed before the connection, so it holds nothing on the server
 * afterwards.
 */
public final class ZooKeeperNodes {
    private static final int OP_EXISTS = 3;
    private static final int OP_CLOSE_SESSION = -11;
    private static final int ERR_NO_NODE = -101;
    /** The session this client asks for: short, and closed at once anyway. */
    private static final int SESSION_TIMEOUT_MS = 4000;
    private static final int MAX_FRAME = 1 << 20;

    private ZooKeeperNodes() {}

    /**
     * Whether {@code path} exists on the ZooKeeper server at {@code host:port}: ok when it does not,
     * not ready (alive) when it does, with its ephemeral owner in the detail (e.g. {@code held by session
     * 0x1000a2b3c4d0001}); failed when the server did not answer.
     *
     * @param tls how to reach a secure client port, or null for plaintext
     */
    public static HealthResult absent(String host, int port, String path, Duration timeout, ProbeTls tls) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try (Socket s = Probes.connect(host, port, deadline, tls)) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(DeadlineInput.of(s, deadline));
            out.write(frame(connectRequest()));
            out.flush();
            DataInputStream connected = new DataInputStream(new java.io.ByteArrayInputStream(readFrame(in)));
            connected.readInt(); // protocol version
            int negotiated = connected.readInt();
            long session = connected.readLong();
            if (negotiated <= 0 || session == 0) {
                return HealthResult.failed(host + ":" + port + " refused the session", Probes.since(start));
            }
            out.write(frame(existsRequest(1, path)));
            out.flush();
            DataInputStream reply = new DataInputStream(new java.io.ByteArrayInputStream(readFrame(in)));
            reply.readInt(); // xid
            reply.readLong(); // zxid
            int err = reply.readInt();
            HealthResult r;
            if (err == ERR_NO_NODE) {
                r = HealthResult.ok(path + " absent", Probes.since(start));
            } else if (err == 0) {
                r = HealthResult.notReady(path + " " + owner(reply), Probes.since(start));
            } else {
                r = HealthResult.failed("exists " + path + " answered error " + err, Probes.since(start));
            }
            out.write(frame(header(2, OP_CLOSE_SESSION)));
            out.flush();
            try {
                readFrame(in); // the close's answer: the session is gone on the server
            } catch (IOException e) {
                // the answer was already known; the server expires the session on its own otherwise
            }
            return r;
        } catch (IOException | RuntimeException e) {
            return HealthResult.failed(Probes.describe(e, host, port), Probes.since(start));
        }
    }

    /** Who holds the znode, from its Stat: the ephemeral owner's session, or "exists (persistent)". */
    static String owner(DataInputStream stat) throws IOException {
        stat.readLong(); // czxid
        stat.readLong(); // mzxid
        stat.readLong(); // ctime
        stat.readLong(); // mtime
        stat.readInt(); // version
        stat.readInt(); // cversion
        stat.readInt(); // aversion
        long ephemeralOwner = stat.readLong();
        return ephemeralOwner == 0 ? "exists (persistent)" : "held by session 0x" + Long.toHexString(ephemeralOwner);
    }

    static byte[] connectRequest() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(0); // protocol version
        d.writeLong(0); // last zxid seen
        d.writeInt(SESSION_TIMEOUT_MS);
        d.writeLong(0); // a new session
        d.writeInt(16); // password
        d.write(new byte[16]);
        d.writeBoolean(false); // not read-only
        return b.toByteArray();
    }

    static byte[] existsRequest(int xid, String path) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.write(header(xid, OP_EXISTS));
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        d.writeInt(p.length);
        d.write(p);
        d.writeBoolean(false); // no watch
        return b.toByteArray();
    }

    private static byte[] header(int xid, int op) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(xid);
        d.writeInt(op);
        return b.toByteArray();
    }

    private static byte[] frame(byte[] body) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(body.length);
        d.write(body);
        return b.toByteArray();
    }

    static byte[] readFrame(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int length = d.readInt();
        if (length < 0 || length > MAX_FRAME) {
            throw new IOException("not a ZooKeeper answer (frame of " + length + " bytes)");
        }
        byte[] body = d.readNBytes(length);
        if (body.length < length) {
            throw new EOFException("ZooKeeper closed the connection mid-answer");
        }
        return body;
    }
}
