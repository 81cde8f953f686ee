package dev.dockhand.it.docker;

import dev.dockhand.it.lab.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The docker CLI, run as a child process with a bounded wait. Output goes to temp files (no pipe
 * can fill up and block the child); a command that overruns its timeout is killed by pid.
 */
final class Docker {
    private Docker() {}

    /** Label on everything the tests create, so a failed run can be cleaned: docker rm -f $(docker ps -aq -f label=...). */
    static final String LABEL = "dev.dockhand.it";

    record Result(List<String> command, int exit, String out, String err, Duration took) {
        String all() {
            return out + err;
        }

        Result ok() {
            if (exit != 0) {
                throw new AssertionError("`" + String.join(" ", command) + "` exited " + exit + "\nstdout: " + out + "\nstderr: " + err);
            }
            return this;
        }
    }

    static Result docker(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("docker");
        cmd.addAll(List.of(args));
        return run(cmd, null, timeout);
    }

    static Result docker(String... args) {
        return docker(Duration.ofMinutes(2), args);
    }

    static Result run(List<String> cmd, Path dir, Duration timeout) {
        Path out = null;
        Path err = null;
        Process p = null;
        Instant start = Instant.now();
        try {
            out = Files.createTempFile("docker-out", ".txt");
            err = Files.createTempFile("docker-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("`" + String.join(" ", cmd) + "` did not finish within " + timeout
                        + "\nstdout so far: " + Files.readString(out) + "\nstderr so far: " + Files.readString(err));
            }
            return new Result(cmd, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8), Duration.between(start, Instant.now()));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (p != null) {
                p.destroyForcibly();
            }
            throw new AssertionError("interrupted while running " + cmd, e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    static String inspect(String object, String format) {
        return docker("inspect", "--format", format, object).ok().out().trim();
    }

    static String health(String container) {
        return inspect(container, "{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}");
    }

    static boolean running(String container) {
        return "true".equals(inspect(container, "{{.State.Running}}"));
    }

    static String logs(String container) {
        return docker("logs", container).all();
    }

    static Result exec(String container, String... cmd) {
        List<String> args = new ArrayList<>(List.of("exec", container));
        args.addAll(List.of(cmd));
        return docker(Duration.ofMinutes(2), args.toArray(String[]::new));
    }

    /**
     * The container's processes that run as root, as {@code ps} lines, leaving out {@code runc init}:
     * the container runtime's own step of every {@code docker exec} (this one's, and the
     * HEALTHCHECK's every 10 s), root until it becomes the command it starts, not a process of the
     * image. On a loaded machine a concurrent health check's shows up often enough to fail a check.
     */
    static List<String> rootProcesses(String container) {
        return exec(container, "ps", "-eo", "uid=,pid=,args=").ok().out().lines().map(String::trim)
                .filter(l -> l.startsWith("0 ") && !l.matches("0\\s+\\d+\\s+runc init.*")).toList();
    }

    /**
     * Waits (bounded) until every container reports healthy and its agent says every service is
     * ready; fails early, with its log, when one has exited. Both, because the image's HEALTHCHECK
     * ({@code agent health}) is liveness: it turns healthy as soon as the agent supervises, while a
     * broker may still be starting (a container must not be marked unhealthy during log recovery).
     */
    static void awaitHealthy(Duration timeout, List<String> containers) {
        List<String> pending = new ArrayList<>(containers);
        try {
            Await.until("containers healthy with every service ready", timeout, Duration.ofSeconds(1), () -> {
                for (String c : List.copyOf(pending)) {
                    if (!running(c)) {
                        throw new Await.Hopeless(c + " exited with " + inspect(c, "{{.State.ExitCode}}") + " while starting; its log:\n"
                                + tail(logs(c), 80));
                    }
                    if ("healthy".equals(health(c)) && ready(c)) {
                        pending.remove(c);
                    }
                }
                if (!pending.isEmpty()) {
                    throw new AssertionError("not yet: " + pending);
                }
            });
        } catch (Await.Hopeless e) {
            throw e;
        } catch (AssertionError e) {
            StringBuilder b = new StringBuilder(e.getMessage());
            for (String c : pending) {
                b.append("\n--- ").append(c).append(" (").append(health(c)).append("), agent status:\n")
                        .append(exec(c, "agent", "status").all()).append("\n--- log tail:\n").append(tail(logs(c), 40));
            }
            throw new AssertionError(b.toString(), e);
        }
    }

    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * Every service of the container's role is ready: the agent's {@code /readyz} (see {@link #agentHttp}),
     * or {@code agent ready} when the container has no address of its own.
     */
    static boolean ready(String container) {
        String ip = address(container);
        if (ip.isEmpty()) {
            return exec(container, "agent", "ready").exit() == 0;
        }
        return agentHttp(container, "/readyz").status() == 200;
    }

    private static String address(String container) {
        String ips = inspect(container, "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}").trim();
        return ips.isEmpty() ? "" : ips.split(" ")[0];
    }

    /**
     * GET on the agent's HTTP port (9800) at the container's address on its network (the host
     * reaches bridge networks). Polling this costs no JVM start inside the container, as
     * {@code docker exec c agent ...} does on every call. Status 0 when nothing answers.
     */
    static Answer agentHttp(String container, String path) {
        var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + address(container) + ":9800" + path))
                .timeout(Duration.ofSeconds(5)).build();
        try {
            var r = HTTP.send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Answer(0, String.valueOf(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    record Answer(int status, String body) {}

    /** Paths, sizes, modes and checksums of a volume's files, read by a throwaway container. */
    static String volumeSnapshot(String image, String volume) {
        // Mounted where the agent mounts it: Docker copies the image's (empty) data dir's owner and
        // mode onto an empty volume at its first mount there, which is Docker's doing, not the agent's.
        return docker(Duration.ofMinutes(1), "run", "--rm", "--label", LABEL, "--user", "0", "--entrypoint", "bash",
                "-v", volume + ":/var/lib/dockhand", image,
                "-c", "cd /var/lib/dockhand && find . -printf '%p %s %m %U %T@\\n' | sort && find . -type f -size -64k -exec md5sum {} + | sort").ok().out();
    }

    static void removeQuietly(String kind, String... names) {
        for (String n : names) {
            if (kind.equals("container")) {
                docker(Duration.ofMinutes(1), "rm", "-f", "-v", n);
            } else {
                docker(Duration.ofMinutes(1), kind, "rm", "-f", n);
            }
        }
    }

    static String tail(String s, int lines) {
        String[] l = s.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(l, Math.max(0, l.length - lines), l.length));
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }
}
