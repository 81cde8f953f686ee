package dev.dockhand.agent.supervise;

import dev.dockhand.agent.protocol.ServiceState;
import dev.dockhand.agent.health.HealthResult;
import dev.dockhand.agent.health.ProbeTls;
import dev.dockhand.agent.health.ZooKeeperNodes;
import dev.dockhand.agent.plan.NodePlan;
import dev.dockhand.agent.plan.NodePlan.ZooKeeperRegistration;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the start of a ZooKeeper-mode broker while ZooKeeper still has its registration
 * ({@code /brokers/ids/<id>}) from a process that did not close its session: a broker killed with -9
 * leaves it behind until ZooKeeper expires that session ({@code zookeeper.session.timeout.ms}), and a
 * broker started meanwhile exits at once ("node already exists ... does not match current session"),
 * which used to cost a second crash, a backoff, and a second count toward FAILED.
 *
 * <p>The service stays PENDING, its reason saying what it waits for, and ZooKeeper is asked again
 * every {@link #ASK_INTERVAL} until the znode is gone. The wait is neither a crash nor a restart. It is
 * bounded by the broker's session timeout plus {@link #MARGIN} (ZooKeeper expires sessions on its tick):
 * a znode still there after that is not the dead process's (another broker with the same id), and the
 * broker is started anyway, to say so itself. When ZooKeeper cannot be asked, a restart after a crash
 * waits out the same bound (the session timeout is known); a first start does not wait.
 *
 * <p>Every start of such a broker asks, not only a restart after a crash seen by this agent: a
 * container whose agent was killed left its broker's session behind too. After a clean stop the znode
 * is already gone and the start waits for one answer of ZooKeeper.
 *
 * <p>Lives on the supervisor's loop thread, like the supervisor's own state.
 */
final class RegistrationWait {
    private static final Logger log = LoggerFactory.getLogger("dev.dockhand.agent.supervise");
    /** How often ZooKeeper is asked again while the registration is still there. */
    static final Duration ASK_INTERVAL = Duration.ofMillis(500);
    /** Beyond the session timeout: ZooKeeper expires sessions on its tick (2 s by default), up to a tick late. */
    static final Duration MARGIN = Duration.ofSeconds(5);

    /** Asks ZooKeeper about a registration, off the loop: ok when it is gone, not ready while it is held, failed when there is no answer. */
    interface Asker {
        HealthResult ask(ZooKeeperRegistration registration, Duration timeout);
    }

    private final Loop loop;
    private final ProbeRunner probes;
    private final Asker asker;
    private final Runnable onClear;
    /** The wait of each service whose start is held, by service id. */
    private final Map<String, Wait> waits = new HashMap<>();

    /** One start's wait: for the service's generation before it (its last process, or none yet). */
    private static final class Wait {
        final int generation;
        final long sinceMono;
        final boolean afterCrash;
        HealthResult last;
        boolean clear;
        Loop.Timer next;

        Wait(int generation, long sinceMono, boolean afterCrash) {
            this.generation = generation;
            this.sinceMono = sinceMono;
            this.afterCrash = afterCrash;
        }
    }

    /**
     * @param probes where ZooKeeper is asked (off the loop)
     * @param onClear what to run on the loop once a held start may go ahead (the supervisor's evaluation)
     */
    RegistrationWait(Loop loop, ProbeRunner probes, Asker asker, Runnable onClear) {
        this.loop = loop;
        this.probes = probes;
        this.asker = asker;
        this.onClear = onClear;
    }

    /**
     * For a PENDING service whose dependencies are ready: null when it may start now; otherwise why it
     * waits. The first call for a start asks ZooKeeper; later calls (the supervisor evaluates often)
     * say how the wait stands.
     */
    String hold(ServiceLifecycle s) {
        ZooKeeperRegistration r = s.planned.registration();
        if (r == null) {
            return null;
        }
        Wait w = waits.get(s.id());
        if (w == null || w.generation != s.generation) {
            cancel(w);
            w = new Wait(s.generation, loop.nowMillis(), s.attempt > 0);
            waits.put(s.id(), w);
            ask(s, w);
        }
        if (w.clear) {
            waits.remove(s.id());
            return null;
        }
        return reason(r, w);
    }

    /** Whether the start of {@code serviceId} is being held now (for status and tests). */
    boolean holding(String serviceId) {
        Wait w = waits.get(serviceId);
        return w != null && !w.clear;
    }

    private String reason(ZooKeeperRegistration r, Wait w) {
        if (w.last == null) {
            return "asking ZooKeeper whether broker " + r.brokerId() + "'s registration " + r.path() + " is gone";
        }
        long waited = (loop.nowMillis() - w.sinceMono) / 1000;
        String what = w.last.alive() ? w.last.detail() : "ZooKeeper does not answer: " + w.last.detail();
        return "waiting for broker " + r.brokerId() + "'s old ZooKeeper session to expire (" + what + "; " + waited + " s of at most "
                + bound(r).toSeconds() + " s)";
    }

    /** The longest a start waits: the broker's session timeout and the margin. */
    static Duration bound(ZooKeeperRegistration r) {
        return r.sessionTimeout().plus(MARGIN);
    }

    private void ask(ServiceLifecycle s, Wait w) {
        w.next = null;
        ZooKeeperRegistration r = s.planned.registration();
        Duration timeout = s.planned.spec().health().timeout();
        probes.submit(s.id() + " registration", () -> asker.ask(r, timeout), answer -> answered(s, w, answer));
    }

    private void answered(ServiceLifecycle s, Wait w, HealthResult answer) {
        if (waits.get(s.id()) != w) {
            return; // a later start's wait replaced this one
        }
        if (s.state != ServiceState.PENDING || s.generation != w.generation || s.planned.registration() == null) {
            waits.remove(s.id()); // stopped meanwhile: its next start asks afresh
            return;
        }
        ZooKeeperRegistration r = s.planned.registration();
        long waited = loop.nowMillis() - w.sinceMono;
        boolean cannotTell = !answer.ok() && !answer.alive();
        if (answer.ok() || (cannotTell && !w.afterCrash)) {
            if (w.last != null) {
                log.info("{}: {} after {} ms; starting it", s.id(), answer.ok() ? "ZooKeeper expired its old session, " + answer.detail()
                        : "ZooKeeper cannot tell (" + answer.detail() + ")", waited);
            } else if (cannotTell) {
                log.warn("{}: ZooKeeper cannot tell whether {} is free ({}); starting it", s.id(), r.path(), answer.detail());
            }
            clear(w);
            return;
        }
        if (waited >= bound(r).toMillis()) {
            log.warn("{}: {} after {} s, longer than its session timeout of {} s and {} s more: not its old session's; starting it "
                    + "anyway", s.id(), cannotTell ? "ZooKeeper still cannot tell (" + answer.detail() + ")" : answer.detail(),
                    waited / 1000, r.sessionTimeout().toSeconds(), MARGIN.toSeconds());
            clear(w);
            return;
        }
        if (w.last == null) {
            log.warn("{}: {}; its previous process did not close its ZooKeeper session: waiting up to {} s for ZooKeeper to expire it "
                    + "before starting it (not a crash)", s.id(), cannotTell ? "ZooKeeper does not answer (" + answer.detail() + ")"
                    : answer.detail(), bound(r).minusMillis(waited).toSeconds());
        }
        w.last = answer;
        s.reason = reason(r, w);
        w.next = loop.schedule(ASK_INTERVAL, () -> ask(s, w));
    }

    private void clear(Wait w) {
        w.clear = true;
        onClear.run();
    }

    private static void cancel(Wait w) {
        if (w != null && w.next != null) {
            w.next.cancel();
        }
    }

    /**
     * The real question, asked of ZooKeeper's members in order until one answers: the znode is there
     * or not on every member that serves (a member a little behind may still show it: a short wait more).
     *
     * @param tls how to reach a secured ensemble (the names connected to checked), or null
     */
    static HealthResult askZooKeeper(ZooKeeperRegistration r, Duration timeout, ProbeTls tls) {
        HealthResult last = HealthResult.failed("no ZooKeeper member planned", 0);
        for (NodePlan.Endpoint e : r.zookeeper()) {
            last = ZooKeeperNodes.absent(e.host(), e.port(), r.path(), timeout, tls);
            if (last.alive()) {
                return last;
            }
        }
        return last;
    }
}
