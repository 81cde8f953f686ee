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
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import dev.dockhand.agent.security.TlsContexts;

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
        return of(spec, commands, null);
    }

    /**
     * The check of {@code spec}, over TLS with {@code tls} unless it is null. A TCP probe only connects:
     * it has nothing to say over TLS.
     */
    public static HealthCheck of(ProbeSpec spec, CommandContext commands, ProbeTls tls) {
        if (spec instanceof ProbeSpec.Tcp) {
            return new TcpCheck();
        }
        if (spec instanceof ProbeSpec.Http h) {
            return new HttpCheck(h.path(), h.expectStatus(), h.expectBody(), tls);
        }
        if (spec instanceof ProbeSpec.ZooKeeper) {
            return new ZooKeeperCheck(tls);
        }
        if (spec instanceof ProbeSpec.Kafka k) {
            return new KafkaCheck(k.inSync() && commands != null ? commands.nodeId() : -1, tls);
        }
        if (spec instanceof ProbeSpec.KafkaQuorum q) {
            return commands == null ? new KafkaQuorumCheck(-1, java.util.List.of(), 0, tls)
                    : new KafkaQuorumCheck(commands.nodeId(), commands.controllers(), q.brokerPort(), tls);
        }
        if (spec instanceof ProbeSpec.ZkMigration m) {
            return new ZkMigrationCheck(m.noZooKeeperBrokers());
        }
        if (spec instanceof ProbeSpec.Exec e) {
            if (commands == null) {
                throw new IllegalArgumentException("an exec probe runs on the service's own node");
            }
            return new ExecCheck(commands, e.command());
        }
        if (spec instanceof ProbeSpec.None) {
            return (host, port, timeout) -> HealthResult.ok("running (no probe declared)", 0);
        }
        // a probe type without its check here must not compile into one that always passes
        // (ProbesTest.everyProbeTypeHasItsCheck holds the list of types against the sealed interface's)
        throw new IllegalArgumentException("no check for probe type " + spec.getClass().getSimpleName());
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

    /**
     * A connection to {@code host:port}, over TLS when {@code tls} is given: the handshake done and the
     * server's certificate checked (the cluster's CA, the expected name) before {@code deadlineNanos}.
     * The connection is closed at the deadline whatever it is doing, so a server that trickles its
     * handshake or its records cannot hold the probe longer; the caller closes it sooner.
     */
    static Socket connect(String host, int port, long deadlineNanos, ProbeTls tls) throws IOException {
        Socket raw = connect(host, port, deadlineNanos);
        if (tls == null) {
            return raw;
        }
        try {
            SSLContext ctx = tls.context().get();
            String name = tls.serverName() != null ? tls.serverName() : host;
            SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, name, port, true);
            s.setSSLParameters(TlsContexts.verifyingHost(ctx));
            closeAt(raw, deadlineNanos);
            s.setSoTimeout(millisLeft(deadlineNanos));
            s.startHandshake();
            return s;
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** One daemon thread, made at the first TLS probe (a plaintext node never has it). */
    private static final class Deadlines {
        static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "probe-deadline");
            t.setDaemon(true);
            return t;
        });
    }

    private static void closeAt(Socket s, long deadlineNanos) {
        Deadlines.TIMER.schedule(() -> {
            try {
                s.close(); // a no-op when the probe closed it already
            } catch (IOException e) {
                // closing is all there is to do
            }
        }, Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    static long since(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    static int millisLeft(long deadlineNanos) throws SocketTimeoutException {
        long nanos = deadlineNanos - System.nanoTime();
        if (nanos <= 0) {
            throw new SocketTimeoutException("timed out");
        }
        // rounded up: a socket timeout of the rounded-down millis would give up before the deadline
        return (int) Math.min(Integer.MAX_VALUE, (nanos + 999_999) / 1_000_000);
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
        if (e instanceof javax.net.ssl.SSLHandshakeException) {
            return "TLS handshake refused: " + e.getMessage() + " (" + host + ":" + port + ")";
        }
        if (e instanceof EOFException) {
            return "connection closed before a full answer (" + host + ":" + port + ")";
        }
        String m = e.getMessage();
        return (m == null ? e.getClass().getSimpleName() : m) + " (" + host + ":" + port + ")";
    }
}
