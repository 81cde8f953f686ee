package dev.dockhand.agent.console;

import dev.dockhand.agent.console.ConsoleConfig.HostPort;
import dev.dockhand.agent.console.Overview.ZooKeeperMember;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import dev.dockhand.agent.security.TlsContexts;

/**
 * Asks one ZooKeeper member {@code srvr} and reads its {@code Mode:} line. ({@code ruok} answers
 * {@code imok} before ZooKeeper serves, so it says nothing about the ensemble.)
 *
 * <p>On a secured cluster ZooKeeper serves TLS only, and asks for a client certificate from the
 * cluster's CA: the probe shakes hands with the console's (the node's) certificate, checks the
 * member's name against its certificate, and asks {@code srvr} over TLS. Connect, handshake and
 * reply together stay within the deadline.
 */
final class ZooKeeperProbe implements Sources.ZooKeeperSource {
    private static final int MAX_REPLY = 64 * 1024;

    private final SSLContext tls;

    /** @param tls the console's client context, or null for plain text */
    ZooKeeperProbe(SSLContext tls) {
        this.tls = tls;
    }

    ZooKeeperProbe() {
        this(null);
    }

    @Override
    public ZooKeeperMember probe(HostPort member, Deadline deadline) {
        long start = System.nanoTime();
        try (Socket s = connect(member, deadline)) {
            s.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String reply = readAll(s.getInputStream(), deadline);
            long ms = (System.nanoTime() - start) / 1_000_000;
            return parse(member.toString(), reply, ms);
        } catch (IOException | RuntimeException e) {
            return new ZooKeeperMember(member.toString(), false, "down", "down: " + Deadline.reason(e),
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    private Socket connect(HostPort member, Deadline deadline) throws IOException {
        Socket raw = new Socket();
        try {
            raw.connect(new InetSocketAddress(member.host(), member.port()), (int) Math.max(1, deadline.remainingMillis()));
            raw.setSoTimeout((int) Math.max(1, deadline.remainingMillis()));
            if (tls == null) {
                return raw;
            }
            SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, member.host(), member.port(), true);
            s.setSSLParameters(TlsContexts.verifyingHost(tls));
            s.startHandshake(); // bounded by the socket's timeout, set from the deadline
            s.setSoTimeout((int) Math.max(1, deadline.remainingMillis()));
            return s;
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    static ZooKeeperMember parse(String address, String reply, long latencyMs) {
        String mode = null;
        String version = null;
        for (String line : reply.split("\n")) {
            if (line.startsWith("Mode:")) {
                mode = line.substring(5).trim();
            } else if (line.startsWith("Zookeeper version:")) {
                String v = line.substring(18).trim();
                int dash = v.indexOf('-'); // "3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c, built on ..."
                version = "ZooKeeper " + (dash > 0 ? v.substring(0, dash) : v);
            }
        }
        if (mode == null) {
            String first = reply.isBlank() ? "empty reply (is srvr in 4lw.commands.whitelist?)" : reply.strip().lines().findFirst().orElse("");
            // "This ZooKeeper instance is not currently serving requests" is a member without quorum.
            return new ZooKeeperMember(address, false, "down", "down: " + first, latencyMs);
        }
        return new ZooKeeperMember(address, true, mode, version == null ? "" : version, latencyMs);
    }

    private static String readAll(InputStream in, Deadline deadline) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] b = new byte[4096];
        int n;
        while (buf.size() < MAX_REPLY && (n = in.read(b)) >= 0) {
            buf.write(b, 0, n);
            if (deadline.passed()) {
                throw new java.net.SocketTimeoutException("srvr reply not complete in time");
            }
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
