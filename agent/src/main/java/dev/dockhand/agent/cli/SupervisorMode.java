package dev.dockhand.agent.cli;

import dev.dockhand.agent.InvalidInputException;
import dev.dockhand.agent.control.ControlServer;
import dev.dockhand.agent.linux.JvmSignals;
import dev.dockhand.agent.linux.Linux;
import dev.dockhand.agent.linux.Linuxes;
import dev.dockhand.agent.linux.Signal;
import dev.dockhand.agent.linux.SignalState;
import dev.dockhand.agent.process.Launcher;
import dev.dockhand.agent.render.FileWriter;
import dev.dockhand.agent.render.RenderPlan;
import dev.dockhand.agent.supervise.CommandResult;
import dev.dockhand.agent.supervise.ExecutorLoop;
import dev.dockhand.agent.supervise.NodePlan;
import dev.dockhand.agent.supervise.ProbeRunner;
import dev.dockhand.agent.supervise.Supervisor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code agent run} without a command: the start sequence of DESIGN.md. Steps 1-5 (identity,
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
        Prepared first = prepare(null);
        Linux linux = Linuxes.system();
        var socket = control.socket(env);
        var http = control.http(env);

        int pid = linux.getpid();
        if (pid != 1) {
            // orphans of the services come to us, not to the real init, so we can reap them
            linux.becomeChildSubreaper();
        }
        Launcher launcher = new Launcher(linux, System.out, System.err);
        ExecutorLoop loop = new ExecutorLoop();
        Prepared[] current = {first};
        NodePlan.Replanner replanner = () -> {
            Prepared next = prepare(current[0]);
            current[0] = next;
            return new NodePlan.Replan(next.plan, next.changed);
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

    /** The result of steps 1-5. */
    private record Prepared(NodePlan plan, Set<String> changed, RenderPlan render) {}

    /**
     * Identity, validation, identity guard, sizing, render and write. On the first run everything is
     * "changed"; on a reload, the services with a changed file, command or environment.
     */
    private Prepared prepare(Prepared previous) {
        NodeSetup setup = NodeSetup.resolve(node, env, control.httpPort(env));
        RenderPlan render = setup.plan();
        if (previous == null) {
            setup.sizingLines.forEach(l -> log.info("sizing: {}", l));
        }
        ensureDirs(setup, render);
        List<FileWriter.Written> written = FileWriter.write(render.files());
        Set<String> changed = new LinkedHashSet<>();
        for (FileWriter.Written w : written) {
            if (w.changed()) {
                changed.add(w.service());
                log.info("rendered {} ({})", w.path(), w.service());
            }
        }
        if (previous != null) {
            for (RenderPlan.ResolvedService s : render.services()) {
                previous.render.services().stream().filter(p -> p.spec().id().equals(s.spec().id())).findFirst().ifPresent(p -> {
                    if (!p.argv().equals(s.argv()) || !p.env().equals(s.env())) {
                        changed.add(s.spec().id());
                    }
                });
            }
        } else {
            render.services().forEach(s -> changed.add(s.spec().id()));
        }
        List<String> files = written.stream().map(w -> w.path().toString()).toList();
        return new Prepared(PlanBuilder.build(setup.context, render, files), changed, render);
    }

    /** The data dir and every service's dirs must exist and be writable, or nothing starts. */
    private static void ensureDirs(NodeSetup setup, RenderPlan render) {
        Path data = setup.context.paths().dataDir();
        try {
            Files.createDirectories(data);
            for (RenderPlan.ResolvedService s : render.services()) {
                for (Path d : s.dataDirs()) {
                    Files.createDirectories(d);
                }
            }
            Path probe = Files.createTempFile(data, ".agent-write-check", ".tmp");
            Files.delete(probe);
        } catch (AccessDeniedException e) {
            throw new InvalidInputException("data dir " + data + " is not writable by the agent's user (uid "
                    + uid() + "): " + e.getFile() + ": permission denied; give the volume to that user "
                    + "(in the image: dockhand, uid 1000) or run with another AGENT_DATA_DIR");
        } catch (FileSystemException e) {
            throw new InvalidInputException("data dir " + data + " cannot be used: " + e.getFile() + ": "
                    + (e.getReason() == null ? e.getClass().getSimpleName() : e.getReason()));
        } catch (IOException e) {
            throw new InvalidInputException("data dir " + data + " cannot be used: " + e);
        }
    }

    private static String uid() {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return System.getProperty("user.name");
        }
    }
}
