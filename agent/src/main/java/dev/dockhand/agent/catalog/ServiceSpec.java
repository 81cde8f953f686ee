package dev.dockhand.agent.catalog;

import java.util.List;
import java.util.Map;

/**
 * A service the image can run ({@code service add --svcid ... --port ...}) and how the agent runs it.
 *
 * @param command argv; tokens ({@code @@SERVICE_HEAP@@}, {@code @@CONF_DIR@@}, ...) are replaced at start
 * @param env environment of the service, on top of a minimal base (PATH, HOME, LANG); tokens replaced
 * @param templates config files rendered for this service
 * @param overrides how env overrides reach the service's config, or null for none
 * @param dataDirs directories (relative to the data dir, or absolute) the service writes; created at start
 * @param quorum how many of the nodes that run it must be ready before a service of another node that
 *     waits for it may start
 * @param metricsPort where the service's own Prometheus metrics answer ({@code /metrics}), 0 for none
 * @param prepare one-shot steps run, in order, before each start of the service (see {@link PrepareStep})
 */
public record ServiceSpec(
        String id,
        String name,
        int port,
        List<String> command,
        Map<String, String> env,
        List<TemplateSpec> templates,
        OverrideSpec overrides,
        List<String> dataDirs,
        HealthSpec health,
        StopSpec stop,
        RestartSpec restart,
        MemorySpec memory,
        String user,
        LogSpec log,
        Quorum quorum,
        int metricsPort,
        List<PrepareStep> prepare) {

    public ServiceSpec {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        templates = List.copyOf(templates);
        dataDirs = List.copyOf(dataDirs);
        prepare = List.copyOf(prepare);
    }

    /** A service without prepare steps. */
    public ServiceSpec(String id, String name, int port, List<String> command, Map<String, String> env,
            List<TemplateSpec> templates, OverrideSpec overrides, List<String> dataDirs, HealthSpec health, StopSpec stop,
            RestartSpec restart, MemorySpec memory, String user, LogSpec log, Quorum quorum, int metricsPort) {
        this(id, name, port, command, env, templates, overrides, dataDirs, health, stop, restart, memory, user, log, quorum,
                metricsPort, List.of());
    }

    /** The TCP ports the service listens on: its own, its metrics port, its probe's (each once). */
    public List<Integer> ports() {
        List<Integer> ports = new java.util.ArrayList<>(3);
        for (int p : new int[] {port, metricsPort, health == null ? 0 : health.probe().port()}) {
            if (p > 0 && !ports.contains(p)) {
                ports.add(p);
            }
        }
        return ports;
    }

    /** How many nodes of a service make it ready for the services of other nodes that wait for it. */
    public enum Quorum {
        /** One node that answers is enough. */
        ONE,
        /** A majority of its nodes (ZooKeeper serves only while a majority of its ensemble is up). */
        MAJORITY;

        /** How many of {@code nodes} must answer. */
        public int required(int nodes) {
            return this == MAJORITY ? nodes / 2 + 1 : Math.min(1, nodes);
        }
    }
}
