package dev.dockhand.agent.supervise;

import dev.dockhand.agent.catalog.HealthSpec;
import dev.dockhand.agent.catalog.MemorySpec;
import dev.dockhand.agent.catalog.RestartSpec;
import dev.dockhand.agent.catalog.ServiceSpec;
import dev.dockhand.agent.catalog.StopSpec;
import dev.dockhand.agent.supervise.NodePlan.Endpoint;
import dev.dockhand.agent.supervise.NodePlan.PlannedService;
import dev.dockhand.agent.supervise.NodePlan.RemoteDependency;
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
        String policy = "always";
        Duration initialBackoff = Duration.ofSeconds(1);
        Duration maxBackoff = Duration.ofSeconds(8);
        int maxRetries = 5;
        Duration resetAfter = Duration.ofSeconds(120);
        boolean failStopsAgent;

        S(String id) {
            this.id = id;
            this.argv = List.of("/opt/" + id + "/bin/run");
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
            return new HealthSpec(type, null, "/", 200, null, List.of(), interval, Duration.ofMillis(500), failureThreshold,
                    startupTimeout, restartAfter);
        }

        PlannedService build() {
            ServiceSpec spec = new ServiceSpec(id, id, 9000, argv, Map.of(), List.of(), null, List.of(),
                    health(probe, interval), new StopSpec(stopSignal, grace),
                    new RestartSpec(policy, initialBackoff, maxBackoff, maxRetries, resetAfter, failStopsAgent),
                    new MemorySpec(1, 64, 0, 0.5, 0), null, null);
            return new PlannedService(spec, argv, Map.of("PATH", "/usr/bin"), Path.of("/data"), waits, remote, "127.0.0.1");
        }
    }

    static S svc(String id) {
        return new S(id);
    }

    static NodePlan plan(S... services) {
        return new NodePlan(NODE, Arrays.stream(services).map(S::build).toList(), List.of("/data/conf/x.properties"));
    }
}
