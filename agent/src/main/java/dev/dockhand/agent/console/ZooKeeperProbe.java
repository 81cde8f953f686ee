package dev.dockhand.agent.console;

import dev.dockhand.agent.console.ConsoleConfig.HostPort;
import dev.dockhand.agent.console.Overview.ZooKeeperMember;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Asks one ZooKeeper member {@code srvr} and reads its {@code Mode:} line. ({@code ruok} answers
 * {@code imok} before ZooKeeper serves, so it says nothing about the ensemble.)
 */
final class ZooKeeperProbe implements Sources.ZooKeeperSource {
    private static final int MAX_REPLY = 64 * 1024;

    @Override
    public ZooKeeperMember probe(HostPort member, Deadline deadline) {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(member.host(), member.port()), (int) deadline.remainingMillis());
            s.setSoTimeout((int) deadline.remainingMillis());
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
