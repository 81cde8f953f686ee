package dev.dockhand.it.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** What /proc says about processes of the host's PID namespace. */
public final class Procs {
    private Procs() {}

    /** Direct children of {@code pid}, from every thread's {@code children} file. */
    public static List<Long> children(long pid) {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String text = Files.readString(task.resolve("children"), StandardCharsets.US_ASCII).strip();
                    if (!text.isEmpty()) {
                        for (String c : text.split("\\s+")) {
                            out.add(Long.parseLong(c));
                        }
                    }
                } catch (NoSuchFileException gone) {
                    // thread ended
                }
            }
        } catch (NoSuchFileException | java.nio.file.NotDirectoryException gone) {
            return List.of();
        } catch (IOException e) {
            return List.of();
        }
        return out;
    }

    /** Every descendant of {@code pid}, breadth first. */
    public static List<Long> descendants(long pid) {
        List<Long> out = new ArrayList<>();
        List<Long> frontier = new ArrayList<>(children(pid));
        while (!frontier.isEmpty()) {
            long p = frontier.remove(0);
            out.add(p);
            frontier.addAll(children(p));
        }
        return out;
    }

    /** The command line, arguments joined by spaces; empty when the process is gone. */
    public static String cmdline(long pid) {
        try {
            byte[] b = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(b, StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** A line of /proc/PID/status such as {@code NSpid}, without its key. */
    public static Optional<String> status(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith(key + ":")) {
                    return Optional.of(line.substring(key.length() + 1).strip());
                }
            }
        } catch (IOException e) {
            // gone
        }
        return Optional.empty();
    }

    /** Alive = exists and is not a zombie. */
    public static boolean alive(long pid) {
        return status(pid, "State").map(s -> !s.startsWith("Z") && !s.startsWith("X")).orElse(false);
    }

    /** The first descendant of {@code pid} whose command line contains {@code marker}. */
    public static OptionalLong descendantWith(long pid, String marker) {
        for (long p : descendants(pid)) {
            if (cmdline(p).contains(marker)) {
                return OptionalLong.of(p);
            }
        }
        return OptionalLong.empty();
    }

    /** kill -SIG pid; false when the process is already gone. */
    public static boolean signal(long pid, String signal) {
        return Cmd.run(java.time.Duration.ofSeconds(10), "kill", "-" + signal, Long.toString(pid)).ok();
    }
}
