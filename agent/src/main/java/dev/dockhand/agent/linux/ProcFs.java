package dev.dockhand.agent.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What {@code /proc} says about processes and sockets, read as files (no JNA): a process's start time
 * (which tells a pid that was reused from the process once recorded under it) and which processes
 * listen on a TCP port (which tells our service's socket from someone else's). {@code root} is
 * {@code /proc}, or a directory laid out like it in tests.
 */
public final class ProcFs {
    /** TCP state LISTEN in /proc/net/tcp. */
    private static final String LISTEN = "0A";

    private final Path root;

    public ProcFs(Path root) {
        this.root = root;
    }

    public static ProcFs system() {
        return new ProcFs(Path.of("/proc"));
    }

    /**
     * When {@code pid} started, in clock ticks since boot (field 22 of /proc/PID/stat); empty when no
     * such process is alive.
     */
    public OptionalLong startTime(int pid) {
        String stat;
        try {
            stat = Files.readString(root.resolve(Integer.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses; fields count from after the last ')'
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return OptionalLong.empty();
        }
        String[] f = stat.substring(close + 1).trim().split(" +");
        // f[0] is field 3 (state): field 22 is f[19]; a zombie is not alive
        if (f.length < 20 || f[0].equals("Z") || f[0].equals("X")) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(f[19]));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The command line of {@code pid}, arguments joined by spaces, at most 120 characters; "?" when unknown. */
    public String commandLine(int pid) {
        try {
            byte[] raw = Files.readAllBytes(root.resolve(Integer.toString(pid)).resolve("cmdline"));
            String s = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
            return s.isEmpty() ? "?" : s.length() > 120 ? s.substring(0, 117) + "..." : s;
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** A process that listens on a port, or 0 as pid when the socket's owner cannot be seen (another user's). */
    public record Listener(int pid, String commandLine) {}

    /**
     * The processes with a TCP socket in LISTEN state on {@code port} (any address, IPv4 or IPv6) in
     * this network namespace. Empty when nothing listens there.
     */
    public List<Listener> listeners(int port) {
        Set<String> inodes = new HashSet<>();
        for (String table : List.of("net/tcp", "net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(root.resolve(table), StandardCharsets.ISO_8859_1);
            } catch (IOException | RuntimeException e) {
                continue;
            }
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split(" +");
                if (f.length < 10 || !f[3].equals(LISTEN)) {
                    continue;
                }
                int colon = f[1].lastIndexOf(':');
                try {
                    if (colon > 0 && Integer.parseInt(f[1].substring(colon + 1), 16) == port) {
                        inodes.add(f[9]);
                    }
                } catch (NumberFormatException e) {
                    // not a line of the table
                }
            }
        }
        if (inodes.isEmpty()) {
            return List.of();
        }
        List<Listener> out = new ArrayList<>();
        Set<String> found = new HashSet<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(root, p -> p.getFileName().toString().matches("[0-9]+"))) {
            for (Path proc : procs) {
                int pid = Integer.parseInt(proc.getFileName().toString());
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        String target;
                        try {
                            target = Files.readSymbolicLink(fd).toString();
                        } catch (IOException | UnsupportedOperationException e) {
                            continue;
                        }
                        if (target.startsWith("socket:[") && inodes.contains(target.substring(8, target.length() - 1))) {
                            found.add(target.substring(8, target.length() - 1));
                            out.add(new Listener(pid, commandLine(pid)));
                            break;
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // gone, or not ours to look at
                }
            }
        } catch (IOException e) {
            // no /proc: say what we know
        }
        if (found.size() < inodes.size()) {
            out.add(new Listener(0, "a process this agent cannot see (another user's, or in another PID namespace)"));
        }
        return out;
    }
}
