package dev.dockhand.agent.cli;

import dev.dockhand.agent.linux.Linuxes;
import dev.dockhand.agent.log.AgentLog;
import java.io.PrintWriter;
import java.util.Map;

/** Entry point of {@code agent.jar}. The only place that calls {@link System#exit}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        AgentLog.levels(env.get(AgentLog.LEVEL_ENV));
        if (args.length > 0 && args[0].equals("run")) {
            // binding libc through JNA takes about a tenth of a second; do it on the second core while
            // the command line and the catalog are read, so the first service starts sooner
            Thread warm = new Thread(Linuxes::system, "jna-init");
            warm.setDaemon(true);
            warm.start();
            RunCommand run = RunArgs.parse(args, env);
            if (run != null) {
                System.exit(runWithoutPicocli(run));
            }
        }
        System.exit(AgentCommand.commandLine(env).execute(args));
    }

    /** PID 1's usual path: {@code agent run} as an ENTRYPOINT writes it (see {@link RunArgs}). */
    private static int runWithoutPicocli(RunCommand run) {
        PrintWriter err = TerminalWriter.of(new PrintWriter(System.err, true));
        try {
            return run.call(err);
        } catch (RuntimeException e) {
            return Failures.report(e, err);
        }
    }
}
