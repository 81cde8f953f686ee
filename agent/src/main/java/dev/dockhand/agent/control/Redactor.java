package dev.dockhand.agent.control;

import dev.dockhand.agent.core.SecretText;
import dev.dockhand.agent.protocol.AgentSnapshot.DependencySnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot.ProbeSnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot.ServiceSnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * Redacts what leaves the agent through the control plane: every snapshot (a state's reason, a probe's
 * detail, a dependency's detail may quote a command line or a config line) and every log line the control
 * plane writes about a request, by the one rule of {@link SecretText}.
 */
public final class Redactor {

    /** What a masked value is replaced with. */
    public static final String MASK = SecretText.MASK;

    private Redactor() {}

    /** Whether a key's name looks secret. */
    public static boolean isSecretKey(String key) {
        return SecretText.isSecretKey(key);
    }

    /** {@code text} with the value of every secret-looking key masked; null stays null. */
    public static String redact(String text) {
        return SecretText.redact(text);
    }

    /** A copy of the snapshot with every free-text field redacted. */
    public static AgentSnapshot redact(AgentSnapshot s) {
        if (s == null) {
            return null;
        }
        List<ServiceSnapshot> services = new ArrayList<>();
        for (ServiceSnapshot svc : nullToEmpty(s.services())) {
            ProbeSnapshot p = svc.lastProbe();
            ProbeSnapshot probe = p == null ? null : new ProbeSnapshot(p.ok(), redact(p.detail()), p.latencyMs(), p.atMs());
            AgentSnapshot.StopGateSnapshot g = svc.stopGate();
            AgentSnapshot.StopGateSnapshot gate = g == null ? null
                    : new AgentSnapshot.StopGateSnapshot(g.waiting(), g.waitedMs(), g.maxWaitMs(), redact(g.detail()), g.waits(), g.unsafe());
            services.add(new ServiceSnapshot(
                    svc.id(), svc.state(), redact(svc.reason()), svc.pid(), svc.uptimeMs(), svc.restarts(), svc.ports(), probe, gate));
        }
        List<DependencySnapshot> deps = new ArrayList<>();
        for (DependencySnapshot d : nullToEmpty(s.dependencies())) {
            deps.add(new DependencySnapshot(d.service(), d.nodes(), d.ready(), redact(d.detail())));
        }
        List<String> files = new ArrayList<>();
        for (String f : nullToEmpty(s.renderedFiles())) {
            files.add(redact(f));
        }
        return new AgentSnapshot(
                s.role(), s.nodeId(), s.fqdn(), s.clusterName(), s.clusterConfig(), s.agentPid(), s.startedAtMs(),
                s.uptimeMs(), s.rssBytes(), s.state(), s.ready(), services, deps, files, s.security(), s.certificates(),
                s.quorum(), s.migrationPhase(), s.illegalTransitions()); // the quorum: ids and offsets, nothing secret
    }

    private static <T> List<T> nullToEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }
}
