package dev.dockhand.agent.health;

import dev.dockhand.agent.catalog.ProbeSpec;
import dev.dockhand.agent.process.ProcessLauncher;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/** Builds the check a catalog {@link ProbeSpec} declares: the one place where a probe type becomes a check. */
public final class Probes {
    private Probes() {}

    /**
     * What a probe of a service of this node runs with: for a command, the service's environment,
     * working directory and user, and the launcher that spawns (and reaps) it; for a broker's catch-up,
     * this node's broker id; for a KRaft controller, host:port of every controller of the quorum.
     */
    public record CommandContext(ProcessLauncher launcher, String id, java.util.Map<String, String> env,
            java.nio.file.Path workDir, String runAs, int nodeId, java.util.List<String> controllers) {
        public CommandContext {
            controllers = java.util.List.copyOf(controllers);
        }

        public CommandContext(ProcessLauncher launcher, String id, java.util.Map<String, String> env, java.nio.file.Path workDir,
                String runAs, int nodeId) {
            this(launcher, id, env, workDir, runAs, nodeId, java.util.List.of());
        }
    }

    /**
     * The check of {@code spec}.
     *
     * @param commands what a probe of this node's own service runs with; null for a remote dependency
     *     (no command can run there, and another node's catch-up is not this one's)
     */
    public static HealthCheck of(ProbeSpec spec, CommandContext commands) {
        if (spec instanceof ProbeSpec.Tcp) {
            return new TcpCheck();
        }
        if (spec instanceof ProbeSpec.Http h) {
            return new HttpCheck(h.path(), h.expectStatus(), h.expectBody());
        }
        if (spec instanceof ProbeSpec.ZooKeeper) {
            return new ZooKeeperCheck();
        }
        if (spec instanceof ProbeSpec.Kafka k) {
            return new KafkaCheck(k.inSync() && commands != null ? commands.nodeId() : -1);
        }
        if (spec instanceof ProbeSpec.KafkaQuorum q) {
            return commands == null ? new KafkaQuorumCheck(-1, java.util.List.of(), 0)
                    : new KafkaQuorumCheck(commands.nodeId(), commands.controllers(), q.brokerPort());
        }
        if (spec instanceof ProbeSpec.Exec e) {
            if (commands == null) {
                throw new IllegalArgumentException("an exec probe runs on the service's own node");
            }
            return new ExecCheck(commands, e.command());
        }
        return (host, port, timeout) -> HealthResult.ok("running (no probe declared)", 0);
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
