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
 */
public record LaunchSpec(
        String id,
        List<String> argv,
        Map<String, String> env,
        Path workDir,
        String runAs,
        Path logFile,
        long logMaxBytes,
        boolean newSession) {

    public LaunchSpec {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }
}
