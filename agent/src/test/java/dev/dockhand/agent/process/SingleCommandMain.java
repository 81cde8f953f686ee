package dev.dockhand.agent.process;

import dev.dockhand.agent.linux.Linuxes;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A stand-in for {@code agent run [-g] [-e CODE] -- CMD ARGS} so the PID-1 tests can run single-command
 * mode in a PID namespace without the CLI (which the lead wires separately).
 */
public final class SingleCommandMain {
    private SingleCommandMain() {}

    public static void main(String[] args) {
        boolean group = false;
        Set<Integer> zero = new HashSet<>();
        int i = 0;
        for (; i < args.length && !args[i].equals("--"); i++) {
            switch (args[i]) {
                case "-g" -> group = true;
                case "-e" -> zero.add(Integer.parseInt(args[++i]));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<String> argv = Arrays.asList(args).subList(i + 1, args.length);
        SingleCommand.Options options = new SingleCommand.Options(group, false, zero, null);
        int code = new SingleCommand(Linuxes.system(), options).run(argv, System.getenv(), null);
        System.exit(code);
    }
}
