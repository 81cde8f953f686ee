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
 * @param internalPort on a secured node, the port the nodes use among themselves (a broker's mutual-TLS
 *     listener: replication, the agents' probes, the console), where {@code port} is the clients'; 0
 *     when the service has one port for all
 * @param when the only security under which the service runs (a step that exists only on a secured
 *     node), or null for both
 * @param certRenewal what makes the running service use the node's renewed certificate: a command run
 *     next to it (a broker reloads its listeners' key stores on request), or, when empty, a restart
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
        int internalPort,
        Security when,
        List<String> certRenewal) {

    public ServiceSpec {
        certRenewal = List.copyOf(certRenewal);
        command = List.copyOf(command);
        env = Map.copyOf(env);
        templates = List.copyOf(templates);
        dataDirs = List.copyOf(dataDirs);
    }

    /** A service with one port for all and no security condition. */
    public ServiceSpec(String id, String name, int port, List<String> command, Map<String, String> env, List<TemplateSpec> templates,
            OverrideSpec overrides, List<String> dataDirs, HealthSpec health, StopSpec stop, RestartSpec restart, MemorySpec memory,
            String user, LogSpec log, Quorum quorum, int metricsPort) {
        this(id, name, port, command, env, templates, overrides, dataDirs, health, stop, restart, memory, user, log, quorum, metricsPort,
                0, null, List.of());
    }

    /** Whether the service runs on a node secured as {@code security}. */
    public boolean runsUnder(Security security) {
        return when == null || when == security;
    }

    /** The port the nodes and the agent's probes use: the internal one on a secured node, if it has one. */
    public int peerPort(Security security) {
        return security == Security.TLS && internalPort > 0 ? internalPort : port;
    }

    /** The TCP ports the service listens on under {@code security}: the internal one only on a secured node. */
    public List<Integer> ports(Security security) {
        List<Integer> all = new java.util.ArrayList<>(ports());
        if (security != Security.TLS && internalPort > 0 && internalPort != port && internalPort != metricsPort) {
            all.remove(Integer.valueOf(internalPort));
        }
        return all;
    }

    /** The TCP ports the service may listen on: its own, its internal one, its metrics port, its probe's (each once). */
    public List<Integer> ports() {
        List<Integer> ports = new java.util.ArrayList<>(4);
        for (int p : new int[] {port, internalPort, metricsPort, health == null ? 0 : health.probe().port()}) {
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
