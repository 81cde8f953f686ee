package dev.dockhand.agent.process;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to spawn.
 *
 * @param id prefix for output lines (the service id)
 * @param argv command and arguments
 * @param env the complete environment of the child
 * @param workDir working directory
 * @param runAs user to run as, or null
 * @param logFile optional size-capped copy of the output, or null
 * @param logMaxBytes rotation size of {@code logFile}
 * @param newSession own session and process group (true for services)
 * @param service for a service (null for a probe command): the ports it must be the one to open, and
 *     how a later agent stops it should this agent die without stopping it
 */
public record LaunchSpec(
        String id,
        List<String> argv,
        Map<String, String> env,
        Path workDir,
        String runAs,
        Path logFile,
        long logMaxBytes,
        boolean newSession,
        Service service) {

    public LaunchSpec {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }

    /** A child that is not a service (a probe command, single-command mode). */
    public LaunchSpec(String id, List<String> argv, Map<String, String> env, Path workDir, String runAs, Path logFile,
            long logMaxBytes, boolean newSession) {
        this(id, argv, env, workDir, runAs, logFile, logMaxBytes, newSession, null);
    }

    /**
     * @param ports TCP ports the service listens on: a port someone else holds is a refusal to start
     * @param stopSignal its stop signal
     * @param grace time it has to stop before SIGKILL
     */
    public record Service(List<Integer> ports, dev.dockhand.agent.linux.Signal stopSignal, java.time.Duration grace) {
        public Service {
            ports = List.copyOf(ports);
        }
    }
}
