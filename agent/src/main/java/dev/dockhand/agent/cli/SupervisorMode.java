package dev.dockhand.agent.cli;

import dev.dockhand.agent.control.ControlServer;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.core.UtcDate;
import dev.dockhand.agent.linux.JvmSignals;
import dev.dockhand.agent.linux.Linux;
import dev.dockhand.agent.linux.Linuxes;
import dev.dockhand.agent.linux.Signal;
import dev.dockhand.agent.linux.SignalState;
import dev.dockhand.agent.plan.NodePlan;
import dev.dockhand.agent.plan.Planner;
import dev.dockhand.agent.process.Launcher;
import dev.dockhand.agent.process.ProcessLedger;
import dev.dockhand.agent.render.FileWriter;
import dev.dockhand.agent.supervise.CommandResult;
import dev.dockhand.agent.supervise.ExecutorLoop;
import dev.dockhand.agent.supervise.ProbeRunner;
import dev.dockhand.agent.supervise.Supervisor;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code agent run} without a command: the start sequence (docs/supervision.md). Steps 1-5 (identity,
 * validation, identity guard, sizing, render) finish before any process starts, so bad input exits 2
 * with nothing started and nothing on disk changed; then the supervisor starts the role's services and
 * the control plane serves until SIGTERM/SIGINT stops everything.
 */
final class SupervisorMode {
    private static final Logger log = LoggerFactory.getLogger("dev.dockhand.agent");

    private final NodeOptions node;
    private final ControlOptions control;
    private final Map<String, String> env;
    private final PrintWriter err;

    SupervisorMode(NodeOptions node, ControlOptions control, Map<String, String> env, PrintWriter err) {
        this.node = node;
        this.control = control;
        this.env = env;
        this.err = err;
    }

    int run() {
        // steps 1-5: every problem of the input before anything starts (pure Java: meanwhile Main's
        // jna-init thread binds libc, which Linuxes.system() then waits for)
        Prepared first = prepare(null, false);
        Linux linux = Linuxes.system();
        var socket = control.socket(env);
        var http = control.http(env);

        int pid = linux.getpid();
        if (pid != 1) {
            // orphans of the services come to us, not to the real init, so we can reap them
            linux.becomeChildSubreaper();
        }
        // services a previous agent on this data dir started and never stopped (it was killed -9)
        // hold our ports: stop them before anything starts
        ProcessLedger ledger = new ProcessLedger(first.plan.dataDir().resolve(".dockhand").resolve("processes"), linux);
        int reclaimed = ledger.reclaim(RECLAIM_GRACE);
        if (reclaimed > 0) {
            log.info("stopped {} process group(s) left running by a previous agent on {}", reclaimed, first.plan.dataDir());
        }
        Launcher launcher = new Launcher(linux, System.out, System.err, Launcher.DEFAULT_DRAIN_GRACE, ledger);
        ExecutorLoop loop = new ExecutorLoop();
        Prepared[] current = {first};
        NodePlan.Replanner replanner = new NodePlan.Replanner() {
            @Override
            public NodePlan.Replan replan() {
                Prepared next = prepare(current[0], false);
                current[0] = next;
                return new NodePlan.Replan(next.plan, next.changed);
            }

            @Override
            public NodePlan.Replan renew() {
                Prepared next = prepare(current[0], true);
                current[0] = next;
                return new NodePlan.Replan(next.plan, next.changed);
            }
        };
        Supervisor supervisor = new Supervisor(first.plan, launcher, ProbeRunner.threads(loop), replanner, loop, pid,
                () -> linux.rssBytes(pid));
        ControlServer server;
        try {
            server = ControlServer.start(supervisor, socket, http);
        } catch (IOException e) {
            launcher.close();
            throw new InvalidInputException("cannot serve the control plane: " + e.getMessage()
                    + " (set --socket/AGENT_SOCKET or --http-port/AGENT_HTTP_PORT)");
        }
        log.info("control socket {}{}", server.socket(), server.httpAddress().map(a -> ", HTTP " + a).orElse(""));

        // Through linux: a TERM, INT or HUP the agent was started with ignored (a script's `cmd &`
        // ignores INT) is made deliverable first; the JVM alone would silently skip the handler.
        SignalState inherited = linux.inheritedSignals();
        JvmSignals.handle(linux, inherited, Signal.TERM, s -> supervisor.requestStop());
        JvmSignals.handle(linux, inherited, Signal.INT, s -> supervisor.requestStop());
        JvmSignals.handle(linux, inherited, Signal.HUP, s -> {
            CommandResult r = supervisor.reload();
            log.info("SIGHUP: {}", r.message());
        });
        supervisor.start();
        int code;
        try {
            loop.runUntil(supervisor::terminated); // this thread is the supervisor's loop from here on
            code = supervisor.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = ExitCode.FAILURE.code;
        }
        server.close();
        launcher.close();
        return code;
    }

    /** Says at every start how the node's listeners are secured; a plaintext node is a warning. */
    private static void security(NodePlan plan) {
        if (plan.secured()) {
            var c = plan.certificates().node();
            log.info("secured: TLS on every listener, logins for clients; node certificate {} valid until {}, renewal at {}",
                    c.certificate().getSubjectX500Principal().getName(), UtcDate.isoSeconds(c.notAfter().toEpochMilli()),
                    UtcDate.isoSeconds(plan.certificates().renewAt().toEpochMilli()));
            plan.certificates().trust().expiryWarnings(java.time.Instant.now()).forEach(log::warn);
        } else {
            log.warn("PLAINTEXT: every listener of this node is unencrypted and takes anyone ({}); set AGENT_SECURITY=tls "
                    + "with AGENT_CA_CERT_FILE, AGENT_CA_KEY_FILE and AGENT_USERS_FILE to secure it", plan.securitySource());
        }
    }

    /** The longest the agent waits at start for a survivor of a previous agent to stop before SIGKILL. */
    static final java.time.Duration RECLAIM_GRACE = java.time.Duration.ofSeconds(30);

    /** A plan written to disk, and what changed since the last. */
    private record Prepared(NodePlan plan, Set<String> changed) {}

    /**
     * Steps 1-5 and the writing of their result. On the first run everything is "changed"; on a
     * reload, the services with a changed file, command or environment.
     */
    private Prepared prepare(Prepared previous, boolean renew) {
        NodePlan plan = node.plan(env, control.httpPort(env), previous == null ? null : previous.plan.certificates(), renew);
        Planner.checkRunnable(plan);
        if (previous == null) {
            plan.sizing().forEach(l -> log.info("sizing: {}", l));
            security(plan);
        }
        Planner.Written written = Planner.write(plan);
        written.files().stream().filter(FileWriter.Written::changed).forEach(w -> log.info("rendered {} ({})", w.path(), w.service()));
        Set<String> changed = Planner.restarts(previous == null ? null : previous.plan, plan, written.changedServices(), renew);
        return new Prepared(plan, changed);
    }
}
