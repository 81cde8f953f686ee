package dev.dockhand.agent.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The command line of {@code agent run} in the forms an ENTRYPOINT or orchestrator writes, read
 * without picocli: PID 1 then never loads picocli's model of every subcommand (a tenth of the agent's
 * classes, and their reflection), which is memory it would keep for the container's whole life.
 *
 * <p>It reads {@code --opt VALUE}, {@code --opt=VALUE}, {@code -g}, {@code -s}, {@code -e CODE},
 * {@code -p SIG} and everything after {@code --} as the command. Anything else (help, a typo, a
 * repeated option, a value that is not a number, a command without {@code --}) is not its business:
 * {@link #parse} returns null and {@link Main} hands the same arguments to picocli, so that help
 * and every usage error read exactly as for the other subcommands. {@code RunArgsTest} checks that
 * both parsers agree on every option picocli declares for {@code run}.
 */
final class RunArgs {
    private RunArgs() {}

    /**
     * {@code args} as given to {@code agent} (starting with {@code run}) read into a {@link RunCommand},
     * or null when picocli must read them.
     */
    static RunCommand parse(String[] args, Map<String, String> env) {
        if (args.length == 0 || !args[0].equals("run")) {
            return null;
        }
        RunCommand run = new RunCommand(env);
        Set<String> seen = new HashSet<>();
        int i = 1;
        while (i < args.length) {
            String arg = args[i++];
            if (arg.equals("--")) {
                while (i < args.length) {
                    run.command.add(args[i++]);
                }
                return run;
            }
            if (arg.equals("-g") || arg.equals("-s")) {
                if (!seen.add(arg)) {
                    return null;
                }
                if (arg.equals("-g")) {
                    run.processGroup = true;
                } else {
                    run.subreaper = true;
                }
                continue;
            }
            String name = arg;
            String value;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else if (i < args.length && !args[i].startsWith("-")) {
                value = args[i++];
            } else {
                return null;
            }
            if (!name.equals("-e") && !seen.add(name)) {
                return null;
            }
            if (!set(run, name, value)) {
                return null;
            }
        }
        return run;
    }

    /** Sets option {@code name} to {@code value}; false for a name or value picocli must judge. */
    private static boolean set(RunCommand run, String name, String value) {
        NodeOptions n = run.node;
        ControlOptions c = run.control;
        switch (name) {
            case "--catalog" -> n.catalog = value;
            case "--templates" -> n.templates = value;
            case "--out" -> n.out = value;
            case "--data-dir" -> n.dataDir = value;
            case "--home" -> n.home = value;
            case "--metadata" -> n.metadata = value;
            case "--role" -> n.role = value;
            case "--cluster-config" -> n.clusterConfig = value;
            case "--cluster-name" -> n.clusterName = value;
            case "--fqdn" -> n.fqdn = value;
            case "--nodes" -> n.nodes = value;
            case "--socket" -> {
                try {
                    c.socket = Path.of(value);
                } catch (InvalidPathException e) {
                    return false;
                }
            }
            case "--http-bind" -> c.httpBind = value;
            case "--http-port" -> {
                Integer port = integer(value);
                if (port == null) {
                    return false;
                }
                c.httpPort = port;
            }
            case "-e" -> {
                Integer code = integer(value);
                if (code == null) {
                    return false;
                }
                run.zeroExitCodes.add(code);
            }
            case "-p" -> run.parentDeathSignal = value;
            default -> {
                return false;
            }
        }
        return true;
    }

    private static Integer integer(String value) {
        try {
            return Integer.valueOf(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
