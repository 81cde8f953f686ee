package dev.dockhand.agent.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.catalog.ProbeSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every probe type of the catalog has its check: a new record of the sealed {@link ProbeSpec} fails this
 * test until it is added here and to {@link Probes#of}, where it would otherwise be refused at run time
 * (it used to compile into a check that always passed).
 */
class ProbesTest {
    static final List<ProbeSpec> ONE_OF_EACH = List.of(new ProbeSpec.None(), new ProbeSpec.Tcp(1), new ProbeSpec.Http(1, "/", 200, null),
            new ProbeSpec.ZooKeeper(1), new ProbeSpec.Kafka(1, true), new ProbeSpec.KafkaQuorum(1, 0), new ProbeSpec.Exec(List.of("true")),
            new ProbeSpec.ZkMigration(1, false));

    @Test
    void everyProbeTypeHasItsCheck() {
        Set<Class<?>> permitted = Arrays.stream(ProbeSpec.class.getPermittedSubclasses()).collect(Collectors.toSet());
        assertEquals(permitted, ONE_OF_EACH.stream().map(Object::getClass).collect(Collectors.toSet()),
                "a probe type was added to ProbeSpec: give it a check in Probes.of and a sample here");
        var commands = new Probes.CommandContext(null, "svc", Map.of(), Path.of("/"), null, 1, List.of("c-1:9093"));
        for (ProbeSpec spec : ONE_OF_EACH) {
            assertNotNull(Probes.of(spec, commands), spec.toString());
        }
        assertTrue(Probes.of(new ProbeSpec.None(), commands).check("localhost", 0, Duration.ofSeconds(1)).ok(),
                "no probe declared: running is ready");
    }
}
