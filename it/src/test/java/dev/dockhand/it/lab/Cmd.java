package dev.dockhand.it.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A short command run to completion with a bounded wait; output (stdout and stderr merged) kept for messages. */
public final class Cmd {
    public record Result(List<String> argv, int exit, String out) {
        public boolean ok() {
            return exit == 0;
        }

        public Result check() {
            if (exit != 0) {
                throw new AssertionError(String.join(" ", argv) + " exited " + exit + ": " + out.strip());
            }
            return this;
        }
    }

    private Cmd() {}

    public static Result run(Duration timeout, String... argv) {
        return run(timeout, List.of(argv));
    }

    public static Result run(Duration timeout, List<String> argv) {
        return run(timeout, argv, java.util.Map.of());
    }

    /** Runs {@code argv} with {@code env} added to this JVM's environment. */
    public static Result run(Duration timeout, List<String> argv, java.util.Map<String, String> env) {
        Path out = null;
        try {
            out = Files.createTempFile("dh-cmd", ".out");
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            Duration t = Timing.scaled(timeout);
            if (!p.waitFor(t.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                return new Result(argv, -1, "timed out after " + t.toSeconds() + " s: " + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Result(argv, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + argv, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + argv, e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temp file
                }
            }
        }
    }

    /** Whether {@code name} is an executable on PATH. */
    public static boolean onPath(String name) {
        return Need.onPath(name);
    }
}
