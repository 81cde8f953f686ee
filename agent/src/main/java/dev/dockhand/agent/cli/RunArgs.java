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
 * <p>It reads {@code --opt VALUE}, {@code --opt=VALUE}, {@code -g}, {@code -s}, {@code -w}, {@code -v}
 * (also {@code -vv}, {@code -vvv}), {@code -e CODE}, {@code -p SIG}, {@code -r S:R} and everything
 * after {@code --} as the command. Anything else (help, a typo, a
 * repeated option, a value that is not a number, a command without {@code --}) is not its business:
 * {@link #parse} returns null and {@link Main} hands the same arguments to picocli, so that help
 * and every usage error read exactly as for the other subcommands. {@code RunArgsTest} checks that
 * both parsers agree on every option picocli declares for {@code run}.
 */
final class RunArgs {
    private RunArgs() {}

    /** Short names of options that also have a long one, read as the long one. */
    private static final Map<String, String> ALIASES = Map.of("-r", "--rewrite", "-w", "--warn-on-reap");

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
            if (arg.matches("-v{1,3}") || arg.equals("--verbose")) {
                int n = arg.equals("--verbose") ? 1 : arg.length() - 1;
                run.verbose = java.util.Arrays.copyOf(run.verbose, run.verbose.length + n);
                java.util.Arrays.fill(run.verbose, true);
                continue;
            }
            String flag = ALIASES.getOrDefault(arg, arg);
            if (flag.equals("-g") || flag.equals("-s") || flag.equals("--warn-on-reap")) {
                if (!seen.add(flag)) {
                    return null;
                }
                switch (flag) {
                    case "-g" -> run.processGroup = true;
                    case "-s" -> run.subreaper = true;
                    default -> run.warnOnReap = true;
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
            name = ALIASES.getOrDefault(name, name);
            if (!name.equals("-e") && !name.equals("--rewrite") && !seen.add(name)) {
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
            case "--rewrite" -> run.rewrites.add(value);
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
