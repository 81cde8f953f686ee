package dev.dockhand.agent.supervise;

import dev.dockhand.agent.health.HealthResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A {@link ProbeRunner} with scripted answers per target (a service id, or {@code service@host:port}
 * for an endpoint of a remote dependency). Nothing is probed: the answer is whatever the test set
 * last for that target (failing "no answer scripted" by default), delivered as a loop task, like the
 * real runner does.
 */
final class FakeProbes implements ProbeRunner {
    private final Loop loop;
    private final Map<String, HealthResult> answers = new HashMap<>();
    /** Every probe asked for, in order (targets). */
    final List<String> asked = new ArrayList<>();
    /** The loop task in which each target's last passing answer was handled. */
    final Map<String, Long> passedInTask = new HashMap<>();
    private final java.util.function.LongSupplier currentTask;
    /** Targets whose next attempt hangs: it is never answered (a probe stuck until its timeout). */
    private final java.util.Set<String> hangNext = new java.util.HashSet<>();

    FakeProbes(ManualLoop loop) {
        this.loop = loop;
        this.currentTask = loop::currentTask;
    }

    void pass(String target) {
        answers.put(target, HealthResult.ok("ok", 1));
    }

    /** The service answers but is not ready (a broker catching up). */
    void notReady(String target, String why) {
        answers.put(target, HealthResult.notReady(why, 1));
    }

    void fail(String target, String why) {
        answers.put(target, HealthResult.failed(why, 1));
    }

    /** The next attempt at {@code target} never answers; later ones answer as scripted. */
    void hangNext(String target) {
        hangNext.add(target);
    }

    long count(String target) {
        return asked.stream().filter(target::equals).count();
    }

    @Override
    public void submit(String target, Supplier<HealthResult> probe, Consumer<HealthResult> onLoop) {
        asked.add(target);
        if (hangNext.remove(target)) {
            return;
        }
        if ((target.equals(CertificateRenewal.TARGET) || target.equals(CertificateRenewal.WATCH_TARGET)) && !answers.containsKey(target)) {
            // the supervisor's own work off the loop (a renewal's plan), not a probe: done for real, inline
            HealthResult done = probe.get();
            loop.post(() -> onLoop.accept(done));
            return;
        }
        HealthResult r = answers.getOrDefault(target, HealthResult.failed("no answer scripted", 1));
        loop.post(() -> {
            if (r.ok()) {
                passedInTask.put(target, currentTask.getAsLong());
            }
            onLoop.accept(r);
        });
    }
}
