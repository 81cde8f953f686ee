package dev.dockhand.agent.plan;

import dev.dockhand.agent.core.Problems;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks, before anything starts, that every service of the node can be started: its executable exists
 * and may be executed (looked up in the service's {@code PATH} when it has no slash, as the spawn does),
 * and the jar or class path a {@code java} command names exists. Without it a missing distribution is
 * found only as a crash loop of "cannot start" after {@code agent check} said ok.
 */
final class Commands {
    private Commands() {}

    static void check(NodePlan plan, Problems problems) {
        FileSystem fs = plan.dataDir().getFileSystem();
        for (NodePlan.PlannedService s : plan.services()) {
            List<String> argv = s.command().argv();
            if (argv.isEmpty()) {
                continue; // the catalog reader reports a service without a command
            }
            String exe = argv.get(0);
            String why = executableProblem(fs, exe, s.command().env().getOrDefault("PATH", ""));
            if (why != null) {
                problems.add("service " + s.id() + ": its command " + exe + " " + why
                        + "; install the distribution under --home / AGENT_HOME, or fix the catalog's command");
            }
            for (int i = 1; i + 1 < argv.size(); i++) {
                String a = argv.get(i);
                if (a.equals("-jar") && !Files.isRegularFile(fs.getPath(argv.get(i + 1)))) {
                    problems.add("service " + s.id() + ": the jar " + argv.get(i + 1) + " does not exist"
                            + "; install the distribution under --home / AGENT_HOME");
                }
                if (a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path")) {
                    for (String entry : argv.get(i + 1).split(":")) {
                        Path p = fs.getPath(entry.endsWith("/*") ? entry.substring(0, entry.length() - 2) : entry);
                        if (!entry.isEmpty() && !Files.exists(p)) {
                            problems.add("service " + s.id() + ": the class path entry " + entry + " does not exist"
                                    + "; install the distribution under --home / AGENT_HOME");
                        }
                    }
                }
            }
        }
    }

    /** Null when {@code exe} can be executed, else why not. */
    static String executableProblem(FileSystem fs, String exe, String path) {
        if (exe.contains("/")) {
            Path p = fs.getPath(exe);
            if (!Files.exists(p)) {
                return "does not exist";
            }
            if (!Files.isRegularFile(p)) {
                return "is not a regular file";
            }
            return Files.isExecutable(p) ? null : "is not executable (permission denied)";
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isRegularFile(fs.getPath(dir, exe)) && Files.isExecutable(fs.getPath(dir, exe))) {
                return null;
            }
        }
        return "is not found in PATH (" + path + ")";
    }
}
