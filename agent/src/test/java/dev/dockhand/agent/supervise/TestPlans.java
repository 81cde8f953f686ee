package dev.dockhand.agent.supervise;

import dev.dockhand.agent.catalog.HealthSpec;
import dev.dockhand.agent.catalog.MemorySpec;
import dev.dockhand.agent.catalog.ProbeSpec;
import dev.dockhand.agent.catalog.RestartPolicy;
import dev.dockhand.agent.catalog.RestartSpec;
import dev.dockhand.agent.catalog.ServiceSpec;
import dev.dockhand.agent.catalog.StopSpec;
import dev.dockhand.agent.linux.Signal;
import dev.dockhand.agent.plan.NodePlan.Endpoint;
import dev.dockhand.agent.plan.NodePlan.PlannedService;
import dev.dockhand.agent.plan.NodePlan.RemoteDependency;
import dev.dockhand.agent.plan.NodePlan;
import dev.dockhand.agent.render.RenderPlan.RenderedFile;
import dev.dockhand.agent.render.RenderPlan.ResolvedCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Plans for supervisor tests: services with short, explicit timings. */
final class TestPlans {
    private TestPlans() {}

    static final NodePlan.NodeInfo NODE = new NodePlan.NodeInfo("broker", 2, "b-2.test", "c1", "default");

    /** A service definition; every timing explicit, defaults short. */
    static final class S {
        final String id;
        List<String> argv;
        List<String> waits = new ArrayList<>();
        List<RemoteDependency> remote = new ArrayList<>();
        String probe = "tcp";
        Duration interval = Duration.ofSeconds(1);
        int failureThreshold = 3;
        Duration startupTimeout = Duration.ofSeconds(60);
        Duration restartAfter;
        String stopSignal = "TERM";
        Duration grace = Duration.ofSeconds(10);
        Duration waitUntilSafe;
        String policy = "always";
        Duration initialBackoff = Duration.ofSeconds(1);
        Duration maxBackoff = Duration.ofSeconds(8);
        int maxRetries = 5;
        Duration resetAfter = Duration.ofSeconds(120);
        boolean failStopsAgent;
        List<dev.dockhand.agent.render.RenderPlan.ResolvedStep> prepare = new ArrayList<>();
        List<String> certRenewal = List.of();
        NodePlan.ZooKeeperRegistration registration;

        S(String id) {
            this.id = id;
            this.argv = List.of("/opt/" + id + "/bin/run");
        }

        /** The command that makes it use a renewed certificate (none: a restart). */
        S renewedBy(String... argv) {
            certRenewal = List.of(argv);
            return this;
        }

        S waits(String... ids) {
            waits.addAll(Arrays.asList(ids));
            return this;
        }

        S remote(String service, int required, String... hosts) {
            List<Endpoint> eps = Arrays.stream(hosts).map(h -> new Endpoint(h, 2181)).toList();
            remote.add(new RemoteDependency(service, eps, health("zookeeper", Duration.ofSeconds(1)), required));
            return this;
        }

        /** A prepare step {@code id} (its outcome is scripted in FakeProbes as {@code service/id}). */
        S prepare(String stepId, Duration timeout) {
            prepare.add(new dev.dockhand.agent.render.RenderPlan.ResolvedStep(stepId, List.of("/opt/" + id + "/bin/" + stepId), null, timeout));
            return this;
        }

        /** A broker (a kafka probe) whose stops wait up to {@code wait} until it is safe, and SIGKILL after {@code grace}. */
        S gatedBroker(Duration wait, Duration grace) {
            probe = "kafka";
            waitUntilSafe = wait;
            this.grace = grace;
            return this;
        }

        /** A ZooKeeper-mode broker: id {@code brokerId}, whose ZooKeeper session expires {@code sessionTimeout} after it died. */
        S zooKeeperBroker(int brokerId, Duration sessionTimeout) {
            probe = "kafka";
            registration = new NodePlan.ZooKeeperRegistration(brokerId, sessionTimeout, List.of(new Endpoint("zk-1.test", 2181)));
            return this;
        }

        S noProbe() {
            probe = "none";
            return this;
        }

        S backoff(Duration initial, Duration max, int retries) {
            initialBackoff = initial;
            maxBackoff = max;
            maxRetries = retries;
            return this;
        }

        S argv(String... a) {
            argv = List.of(a);
            return this;
        }

        HealthSpec health(String type, Duration interval) {
            ProbeSpec p = switch (type) {
                case "none" -> new ProbeSpec.None();
                case "tcp" -> new ProbeSpec.Tcp(9000);
                case "zookeeper" -> new ProbeSpec.ZooKeeper(2181);
                case "exec" -> new ProbeSpec.Exec(List.of("true"));
                case "kafka" -> new ProbeSpec.Kafka(9092, true);
                default -> throw new IllegalArgumentException(type);
            };
            return new HealthSpec(p, interval, Duration.ofMillis(500), failureThreshold, startupTimeout, restartAfter);
        }

        PlannedService build() {
            ServiceSpec spec = new ServiceSpec(id, id, 9000, argv, Map.of(), List.of(), null, List.of(),
                    health(probe, interval), new StopSpec(Signal.parse(stopSignal), grace, waitUntilSafe),
                    new RestartSpec(RestartPolicy.parse(policy), initialBackoff, maxBackoff, maxRetries, resetAfter, failStopsAgent),
                    new MemorySpec(1, 64, 0, 0.5, 0), null, null, ServiceSpec.Quorum.ONE, 0);
            ResolvedCommand command = new ResolvedCommand(id, argv, Map.of("PATH", "/usr/bin"), Path.of("/data"), List.of(), null, 0, 64,
                    certRenewal, prepare);
            return new PlannedService(spec, command, waits, remote, "127.0.0.1", spec.health().probe(), List.of(), registration);
        }
    }

    static S svc(String id) {
        return new S(id);
    }

    static NodePlan plan(S... services) {
        return plan(Path.of("/data"), services);
    }

    /** A plan whose data dir is {@code dataDir} (where the supervisor keeps what it must remember). */
    static NodePlan plan(Path dataDir, S... services) {
        RenderedFile file = new RenderedFile("x", dataDir.resolve("conf/x.properties"), Path.of("/t/x.properties"), "", false);
        return new NodePlan(NODE, null, Arrays.stream(services).map(S::build).toList(), List.of(file), List.of(), List.of(),
                dataDir, Path.of("/t/catalog.json"));
    }
}
