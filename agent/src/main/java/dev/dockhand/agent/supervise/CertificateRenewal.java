package dev.dockhand.agent.supervise;

import dev.dockhand.agent.protocol.ServiceState;
import dev.dockhand.agent.catalog.ProbeSpec;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.core.UtcDate;
import dev.dockhand.agent.health.HealthCheck;
import dev.dockhand.agent.health.HealthResult;
import dev.dockhand.agent.health.Probes;
import dev.dockhand.agent.plan.NodePlan;
import dev.dockhand.agent.plan.NodePlan.PlannedService;
import dev.dockhand.agent.render.RenderPlan.ResolvedCommand;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A secured node's certificates renewed while it runs: at their renewal time (two thirds of the life,
 * staggered per node) the node issues itself new ones, writes them, and makes each running service use
 * them: with its catalog's renewal command (a broker reloads its key stores, no restart, no lost
 * record), or by a restart that waits at the service's stop gate (a ZooKeeper member restarts only while
 * the others keep the quorum). A renewal that cannot be made is retried; the old certificates stay in
 * use meanwhile. A node certificate given as files is watched instead: when the files hold another
 * certificate (its issuer renewed it), the node takes the new pair the same way. The trusted CAs are
 * looked at daily: one near its end is warned about in the log. Loop thread only, but for the planning
 * of a renewal and the reading of watched files, which run on a probe thread.
 */
final class CertificateRenewal {
    private static final Logger log = LoggerFactory.getLogger("dev.dockhand.agent.supervise");
    /** How long a failed renewal waits before it is tried again (a third of the life is left for this). */
    static final Duration RETRY = Duration.ofMinutes(1);
    /** Bound of a service's renewal command (a broker's: one Kafka tool run). */
    static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);
    /** The probe runner's target of a renewal's planning (logs, tests). */
    static final String TARGET = "certificate renewal";
    /** The probe runner's target of a look at the given certificate files. */
    static final String WATCH_TARGET = "certificate files";
    /** How often given certificate files are looked at (cert-manager renews at two thirds of a life of days). */
    static final Duration WATCH = Duration.ofSeconds(15);
    /** How often the trusted CAs' ends are looked at while the node runs (besides every start). */
    static final Duration CA_CHECK = Duration.ofDays(1);

    /** What the planning of a renewal gave: the new plan, or why there is none. */
    private sealed interface Outcome {
        record Planned(NodePlan.Replan replan) implements Outcome {}

        record Failed(String why) implements Outcome {}
    }

    private final ServiceLifecycle.Node node;
    private final NodePlan.Replanner replanner;
    private final Map<String, ServiceLifecycle> services;
    /** Puts a renewal's plan in force on the node. */
    private final Consumer<NodePlan> apply;
    private Loop.Timer timer;
    private Loop.Timer caTimer;
    /** A given certificate past its renewal time was warned about (once per certificate). */
    private java.math.BigInteger overdueWarned;
    /** A renewal's plan is being made off the loop. */
    private boolean renewing;

    CertificateRenewal(ServiceLifecycle.Node node, NodePlan.Replanner replanner, Map<String, ServiceLifecycle> services,
            Consumer<NodePlan> apply) {
        this.node = node;
        this.replanner = replanner;
        this.services = services;
        this.apply = apply;
    }

    /** Whether a renewal's plan is being made now (a reload waits: both write the node's files). */
    boolean renewing() {
        return renewing;
    }

    /** On a secured node: renew the certificates at their renewal time; watch given ones. */
    void schedule() {
        NodePlan plan = node.plan();
        if (plan.certificates() == null || node.stopping()) {
            return;
        }
        if (caTimer == null) {
            caTimer = node.loop().schedule(CA_CHECK, this::checkCas);
        }
        if (plan.certificates().given() != null) {
            timer = node.loop().schedule(WATCH, this::watch);
            return;
        }
        var cert = plan.certificates().node();
        // the renewal time is at two thirds of the lifetime: the last third is the lifetime's third
        Duration lifetime = Duration.between(cert.renewAt(), cert.notAfter()).multipliedBy(3);
        long delay = Math.max(0, plan.certificates().renewAt().toEpochMilli() - node.loop().epochMillis())
                + stagger(plan.node().nodeId(), lifetime).toMillis();
        timer = node.loop().schedule(Duration.ofMillis(delay), this::renew);
    }

    /** The node stops: no renewal from now on. */
    void cancel() {
        timer = ServiceLifecycle.cancel(timer);
        caTimer = ServiceLifecycle.cancel(caTimer);
    }

    /** Warns of every trusted CA near its end, and looks again a day later. */
    private void checkCas() {
        caTimer = null;
        if (node.stopping() || node.plan().certificates() == null) {
            return;
        }
        node.plan().certificates().trust().expiryWarnings(java.time.Instant.ofEpochMilli(node.loop().epochMillis())).forEach(log::warn);
        caTimer = node.loop().schedule(CA_CHECK, this::checkCas);
    }

    /**
     * A look at the given certificate files, off the loop: a renewal when they hold another certificate,
     * or when the agent's own ZooKeeper identity is due; else the next look.
     */
    private void watch() {
        timer = null;
        if (node.stopping()) {
            return;
        }
        var certs = node.plan().certificates();
        long now = node.loop().epochMillis();
        if (certs.issueAt() != null && now >= certs.issueAt().toEpochMilli()) {
            renew();
            return;
        }
        var current = certs.node().certificate();
        if (now >= certs.node().renewAt().toEpochMilli() && !current.getSerialNumber().equals(overdueWarned)) {
            overdueWarned = current.getSerialNumber();
            log.warn("the node certificate given as {} (serial {}) is past two thirds of its life and its file still holds it: it ends at {}; "
                    + "is its issuer (cert-manager) renewing it?", certs.given().certFile(), current.getSerialNumber().toString(16),
                    UtcDate.isoSeconds(certs.node().notAfter().toEpochMilli()));
        }
        AtomicReference<Boolean> renewed = new AtomicReference<>(false);
        node.probes().submit(WATCH_TARGET, () -> {
            renewed.set(certs.given().renewedSince(current));
            return HealthResult.ok(renewed.get() ? "renewed" : "unchanged", 0);
        }, r -> {
            if (node.stopping() || timer != null || renewing) {
                return;
            }
            if (Boolean.TRUE.equals(renewed.get())) {
                log.info("the certificate files {} hold a new certificate: taking it", certs.given().certFile());
                renew();
            } else {
                timer = node.loop().schedule(WATCH, this::watch);
            }
        });
    }

    /**
     * How much later than its renewal time a node renews: nodes started together would otherwise renew
     * together, and a renewal restarts a ZooKeeper member. One step per node id (up to five steps, a
     * fortieth of the lifetime each, at most a minute): at most a tenth of the life, well inside the
     * third left after the renewal time; the quorum's stop gate does the rest.
     */
    static Duration stagger(int nodeId, Duration lifetime) {
        long step = Math.min(60_000, lifetime.toMillis() / 40);
        return Duration.ofMillis(step * (Math.max(0, nodeId - 1) % 5));
    }

    private void renew() {
        timer = null;
        if (node.stopping()) {
            return;
        }
        // New keys, certificates and files are made on a probe thread, not the loop: on a busy node that
        // takes seconds, and probes, /readyz and `agent status` must keep their time meanwhile.
        renewing = true;
        AtomicReference<Outcome> outcome = new AtomicReference<>();
        node.probes().submit(TARGET, () -> {
            try {
                outcome.set(new Outcome.Planned(replanner.renew()));
                return HealthResult.ok("certificates renewed", 0);
            } catch (InvalidInputException e) {
                outcome.set(new Outcome.Failed(String.join("; ", e.problems())));
            } catch (RuntimeException e) {
                outcome.set(new Outcome.Failed(e.toString()));
            }
            return HealthResult.failed(((Outcome.Failed) outcome.get()).why(), 0);
        }, r -> renewed(outcome.get()));
    }

    /** On the loop: the renewal's new plan in force, or its failure retried. */
    private void renewed(Outcome outcome) {
        renewing = false;
        if (node.stopping()) {
            return;
        }
        if (!(outcome instanceof Outcome.Planned planned)) {
            String why = outcome instanceof Outcome.Failed f ? f.why() : "no outcome";
            boolean given = node.plan().certificates().given() != null;
            // given files may be caught half-written (a certificate without its new key): the next look takes them
            log.error("certificate renewal failed, trying again in {} s; the current certificates stay in use: {}",
                    (given ? WATCH : RETRY).toSeconds(), why);
            timer = node.loop().schedule(given ? WATCH : RETRY, given ? this::watch : this::renew);
            return;
        }
        NodePlan plan = planned.replan().plan();
        apply.accept(plan);
        var cert = plan.certificates().node();
        log.info("certificates renewed: serial {}, valid until {}, next renewal at {}", cert.certificate().getSerialNumber().toString(16),
                UtcDate.isoSeconds(cert.notAfter().toEpochMilli()), UtcDate.isoSeconds(plan.certificates().renewAt().toEpochMilli()));
        for (PlannedService p : plan.services()) {
            ServiceLifecycle s = services.get(p.id());
            if (s == null) {
                continue;
            }
            s.planned = p;
            if (!s.state.running() || s.state == ServiceState.STOPPING) {
                continue; // it reads the new files when it starts
            }
            if (p.command().certRenewal().isEmpty()) {
                s.restartThroughGate("restarting with the renewed certificate");
            } else {
                runCommand(s, p);
            }
        }
        schedule();
    }

    private void runCommand(ServiceLifecycle s, PlannedService p) {
        ResolvedCommand c = p.command();
        HealthCheck command = Probes.of(new ProbeSpec.Exec(c.certRenewal()),
                new Probes.CommandContext(node.launcher(), p.id(), c.env(), c.workDir(), p.spec().user(), node.plan().node().nodeId()));
        int gen = s.generation;
        node.probes().submit(p.id() + " certificate renewal", () -> command.check(p.probeHost(), 0, COMMAND_TIMEOUT), r -> {
            if (r.ok()) {
                log.info("{}: uses the renewed certificate ({} ms)", p.id(), r.latencyMs());
            } else if (gen == s.generation && s.state.running() && s.state != ServiceState.STOPPING) {
                log.error("{}: its renewal command failed ({}); restarting it to use the renewed certificate", p.id(), r.detail());
                s.restartThroughGate("restarting with the renewed certificate");
            }
        });
    }
}
