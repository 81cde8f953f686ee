package dev.dockhand.agent.health;

import dev.dockhand.agent.catalog.HealthSpec;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/** Builds the check a catalog {@link HealthSpec} declares (all but exec, which needs a launcher). */
public final class Probes {
    private Probes() {}

    /** The network check of {@code spec}; exec and none are handled by the supervisor. */
    public static HealthCheck of(HealthSpec spec) {
        return switch (spec.type()) {
            case "tcp" -> new TcpCheck();
            case "http" -> new HttpCheck(spec.path() == null ? "/" : spec.path(),
                    spec.expectStatus() == null ? 200 : spec.expectStatus(), spec.expectBody());
            case "zookeeper" -> new ZooKeeperCheck();
            case "kafka" -> new KafkaCheck();
            default -> throw new IllegalArgumentException("no network check for probe type '" + spec.type() + "'");
        };
    }

    /** A connection to {@code host:port} made before {@code deadlineNanos}; the caller closes it. */
    static Socket connect(String host, int port, long deadlineNanos) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), millisLeft(deadlineNanos));
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    static long since(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    static int millisLeft(long deadlineNanos) throws SocketTimeoutException {
        long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException("timed out");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    static String describe(Exception e, String host, int port) {
        if (e instanceof ConnectException) {
            return "connection refused (" + host + ":" + port + ")";
        }
        if (e instanceof SocketTimeoutException) {
            return "timed out (" + host + ":" + port + ")";
        }
        if (e instanceof UnknownHostException) {
            return "unknown host " + host;
        }
        if (e instanceof EOFException) {
            return "connection closed before a full answer (" + host + ":" + port + ")";
        }
        String m = e.getMessage();
        return (m == null ? e.getClass().getSimpleName() : m) + " (" + host + ":" + port + ")";
    }
}
