package dev.dockhand.it.lab;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;

/**
 * Restarts a node the way an orchestrator rolls it: SIGTERM to its agent, wait for it to exit, start it again
 * (with the node's env changed, as a new image or config would), then wait before the next one.
 */
public final class Roll {
    private Roll() {}

    /** When the next node may go. */
    public enum Pace {
        /** Once the node's agent reports it ready ({@code /readyz} answers 200): what Kubernetes and roll.sh do. */
        READY,
        /** As soon as the node's services have a process again, readiness ignored. */
        PROCESS_UP
    }

    /** The longest a node may take to stop: the broker's grace (120 s) and some. */
    static final Duration STOP = Duration.ofSeconds(150);
    /** The longest a node may take to be back (a broker catching up included). */
    static final Duration BACK = Duration.ofMinutes(5);

    /** Stops the node (exit 0 expected); returns once it has exited. */
    public static void stop(LabNode n) {
        n.signalAgent("TERM");
        int exit = n.awaitExit(STOP);
        if (exit != 0) {
            throw new AssertionError(n.name() + ": the agent exited " + exit + " after SIGTERM: " + n.tail(30));
        }
    }

    /** Starts the node with {@code env} changes applied and waits as {@code pace} says. */
    public static void start(LabNode n, Map<String, String> env, Pace pace) {
        env.forEach((k, v) -> {
            if (v == null) {
                n.env().remove(k);
            } else {
                n.env().put(k, v);
            }
        });
        n.start();
        if (pace == Pace.READY) {
            Timing.await(n.name() + " ready (its agent's /readyz)", BACK, Duration.ofMillis(100), () -> readyz(n));
        } else {
            Timing.await(n.name() + "'s services running", Duration.ofMinutes(1), Duration.ofMillis(20), () -> processUp(n));
        }
    }

    /** One node's turn in a roll; returns how long it took. */
    public static Duration restart(LabNode n, Map<String, String> env, Pace pace) {
        long t0 = System.nanoTime();
        stop(n);
        start(n, env, pace);
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** Whether the node's agent answers {@code /readyz} with 200. */
    public static boolean readyz(LabNode n) {
        try {
            return n.http(9800, "/readyz").statusCode() == 200;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether every service of the node has a process (its agent has started them, ready or not). */
    public static boolean processUp(LabNode n) {
        try {
            JsonNode services = n.status().path("services");
            if (services.isEmpty()) {
                return false;
            }
            for (JsonNode s : services) {
                if (s.path("pid").asInt() <= 0) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
