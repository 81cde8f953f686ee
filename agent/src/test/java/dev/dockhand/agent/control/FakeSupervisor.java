package dev.dockhand.agent.control;

import dev.dockhand.agent.protocol.AgentSnapshot.DependencySnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot.ProbeSnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot.ServiceSnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot;
import dev.dockhand.agent.supervise.CommandResult;
import dev.dockhand.agent.protocol.ServiceState;
import dev.dockhand.agent.supervise.SupervisorControl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A supervisor in memory: services with states, dependents that make a plain stop refused, and a
 * record of every command. Shared by the control and cli tests.
 */
public final class FakeSupervisor implements SupervisorControl {
    private final Map<String, ServiceSnapshot> services = new LinkedHashMap<>();
    private final Map<String, List<String>> dependents = new LinkedHashMap<>();
    private final List<DependencySnapshot> dependencies = new ArrayList<>();
    private final List<String> calls = new ArrayList<>();
    private volatile boolean alive = true;

    public synchronized FakeSupervisor service(String id, ServiceState state, String reason, ProbeSnapshot probe, Integer... ports) {
        services.put(id, new ServiceSnapshot(id, state, reason, state.running() ? 100 + services.size() : 0,
                state.running() ? 61_000 : 0, 0, List.of(ports), probe));
        return this;
    }

    /** Gives service {@code id} a stop gate in the state {@code gate} says. */
    public synchronized FakeSupervisor stopGate(String id, AgentSnapshot.StopGateSnapshot gate) {
        ServiceSnapshot s = services.get(id);
        services.put(id, new ServiceSnapshot(id, s.state(), s.reason(), s.pid(), s.uptimeMs(), s.restarts(), s.ports(), s.lastProbe(), gate));
        return this;
    }

    public synchronized FakeSupervisor dependents(String id, String... ids) {
        dependents.put(id, List.of(ids));
        return this;
    }

    public synchronized FakeSupervisor dependency(DependencySnapshot d) {
        dependencies.add(d);
        return this;
    }

    public FakeSupervisor alive(boolean a) {
        this.alive = a;
        return this;
    }

    /** Everything every service is READY, as a typical healthy broker node. */
    public static FakeSupervisor allReady() {
        return new FakeSupervisor()
                .service("zookeeper", ServiceState.READY, "probe passed", new ProbeSnapshot(true, "Mode: standalone", 3, 1_000), 2181)
                .service("kafka", ServiceState.READY, "probe passed", new ProbeSnapshot(true, "metadata answered", 12, 1_000), 9092)
                .dependents("zookeeper", "kafka");
    }

    /** One ready, one starting, one failed. */
    public static FakeSupervisor mixed() {
        return new FakeSupervisor()
                .service("zookeeper", ServiceState.READY, "probe passed", new ProbeSnapshot(true, "Mode: standalone", 3, 1_000), 2181)
                .service("kafka", ServiceState.STARTING, "waiting for its probe", new ProbeSnapshot(false, "connection refused", 1, 1_000), 9092)
                .service("registry", ServiceState.FAILED, "crash loop: exited 1 five times", null, 8081)
                .dependents("zookeeper", "kafka")
                .dependency(new DependencySnapshot("zookeeper", List.of("zk-0.kafka1.example", "zk-1.kafka1.example"), true, "2/2 answered"));
    }

    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    @Override
    public synchronized AgentSnapshot snapshot() {
        List<ServiceSnapshot> list = List.copyOf(services.values());
        boolean ready = list.stream().allMatch(s -> s.state() == ServiceState.READY || s.state() == ServiceState.EXITED);
        return new AgentSnapshot("broker", 2, "broker-1.kafka1.example", "kafka1", "default", 1, 1_000, 3_723_000,
                40L * 1024 * 1024, ready ? "READY" : "DEGRADED", ready, list, List.copyOf(dependencies),
                List.of("/etc/kafka/server.properties", "/etc/zookeeper/zoo.cfg"));
    }

    @Override
    public synchronized CommandResult start(String service) {
        calls.add("start " + service);
        ServiceSnapshot s = services.get(service);
        if (s == null) {
            return CommandResult.refused("no service \"" + service + "\" on this node");
        }
        set(service, ServiceState.STARTING);
        return CommandResult.ok(service + " starting");
    }

    @Override
    public synchronized CommandResult stop(String service, boolean force) {
        calls.add("stop " + service + (force ? " force" : ""));
        if (!services.containsKey(service)) {
            return CommandResult.refused("no service \"" + service + "\" on this node");
        }
        List<String> deps = dependents.getOrDefault(service, List.of()).stream()
                .filter(d -> services.get(d) != null && services.get(d).state().running())
                .toList();
        if (!deps.isEmpty() && !force) {
            return CommandResult.refused(String.join(", ", deps) + " depend" + (deps.size() == 1 ? "s" : "") + " on " + service);
        }
        set(service, ServiceState.STOPPED);
        return CommandResult.ok(service + " stopped");
    }

    @Override
    public synchronized CommandResult restart(String service) {
        calls.add("restart " + service);
        if (!services.containsKey(service)) {
            return CommandResult.refused("no service \"" + service + "\" on this node");
        }
        set(service, ServiceState.STARTING);
        return CommandResult.ok(service + " restarting");
    }

    @Override
    public synchronized CommandResult reload() {
        calls.add("reload");
        return CommandResult.ok("reloaded: no rendered file changed");
    }

    @Override
    public boolean alive() {
        return alive;
    }

    public synchronized void set(String id, ServiceState state) {
        ServiceSnapshot s = services.get(id);
        services.put(id, new ServiceSnapshot(id, state, s.reason(), state.running() ? s.pid() : 0, s.uptimeMs(),
                s.restarts(), s.ports(), s.lastProbe(), s.stopGate()));
    }

    public synchronized void set(String id, ServiceState state, String reason, ProbeSnapshot probe) {
        ServiceSnapshot s = services.get(id);
        services.put(id, new ServiceSnapshot(id, state, reason, s.pid(), s.uptimeMs(), s.restarts(), s.ports(), probe, s.stopGate()));
    }
}
