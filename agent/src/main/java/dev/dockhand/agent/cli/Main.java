package dev.dockhand.agent.cli;

import dev.dockhand.agent.linux.Linuxes;

/** Entry point of {@code agent.jar}. The only place that calls {@link System#exit}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("run")) {
            // binding libc through JNA takes about a tenth of a second; do it on the second core while
            // picocli parses the command line and the catalog is read, so the first service starts sooner
            Thread warm = new Thread(Linuxes::system, "jna-init");
            warm.setDaemon(true);
            warm.start();
        }
        int code = AgentCommand.commandLine(System.getenv()).execute(args);
        System.exit(code);
    }
}
