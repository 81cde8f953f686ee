package dev.dockhand.agent.resources;

import static dev.dockhand.agent.resources.Services.KAFKA_BROKER;
import static dev.dockhand.agent.resources.Services.ZOOKEEPER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.dockhand.agent.core.InvalidInputException;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SizerTest {
    private static final long MIB = 1024L * 1024;

    /** Limits as a cgroup v2 container of the talk's flavors would show them, read through {@link LimitsReader}. */
    private static ContainerLimits flavor(int cores, int gib) throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path root = fs.getPath("/");
            Files.createDirectories(root.resolve("proc/self"));
            Files.writeString(root.resolve("proc/self/cgroup"), "0::/\n");
            Files.writeString(root.resolve("proc/meminfo"), "MemTotal: 65536000 kB\n");
            Path cg = Files.createDirectories(root.resolve("sys/fs/cgroup"));
            Files.writeString(cg.resolve("cgroup.controllers"), "cpu memory\n");
            Files.writeString(cg.resolve("memory.max"), String.valueOf(gib * 1024 * MIB));
            Files.writeString(cg.resolve("cpu.max"), cores * 100000 + " 100000");
            return new LimitsReader(root, () -> 16).read();
        }
    }

    private static ContainerLimits memory(long mb) {
        return new ContainerLimits(mb * MIB, "/sys/fs/cgroup/memory.max", ContainerLimits.MemoryBound.CONTAINER_LIMIT, 2,
                "/sys/fs/cgroup/cpu.max", true,
                Optional.empty(), 2);
    }

    private static String heaps(SizingPlan plan) {
        return plan.services().stream().map(s -> s.id() + "=" + s.heapMb()).collect(Collectors.joining(" "));
    }

    // The talk's flavors (Small 2 cores / 8 GB, Medium 4 / 12, Large 8 / 20) for both cluster configs.
    // default: a ZooKeeper node also runs a broker, a broker node also runs the registry.
    @ParameterizedTest(name = "{0}/{1} on {2} cores, {3} GiB")
    @CsvSource(delimiter = '|', value = {
        "default    | zookeeper | 2 | 8  | kafka-broker=3251 zookeeper=812",
        "default    | broker    | 2 | 8  | kafka-broker=3251 schema-registry=975",
        "default    | gateway   | 2 | 8  | control-center=512",
        "production | broker    | 2 | 8  | kafka-broker=4064",
        "production | zookeeper | 2 | 8  | zookeeper=1024",
        "production | schemareg | 2 | 8  | schema-registry=1024",
        "production | gateway   | 2 | 8  | control-center=512",
        "default    | zookeeper | 4 | 12 | kafka-broker=4889 zookeeper=1024",
        "default    | broker    | 4 | 12 | kafka-broker=4889 schema-registry=1024",
        "default    | gateway   | 4 | 12 | control-center=512",
        "production | broker    | 4 | 12 | kafka-broker=6112",
        "production | zookeeper | 4 | 12 | zookeeper=1024",
        "production | schemareg | 4 | 12 | schema-registry=1024",
        "production | gateway   | 4 | 12 | control-center=512",
        "default    | zookeeper | 8 | 20 | kafka-broker=6144 zookeeper=1024",
        "default    | broker    | 8 | 20 | kafka-broker=6144 schema-registry=1024",
        "default    | gateway   | 8 | 20 | control-center=512",
        "production | broker    | 8 | 20 | kafka-broker=6144",
        "production | zookeeper | 8 | 20 | zookeeper=1024",
        "production | schemareg | 8 | 20 | schema-registry=1024",
        "production | gateway   | 8 | 20 | control-center=512",
    })
    void talkFlavors(String config, String role, int cores, int gib, String expected) throws IOException {
        SizingPlan plan = Sizer.size(flavor(cores, gib), Services.of(config, role), Map.of());

        assertEquals(expected, heaps(plan));
        assertEquals("-XX:ActiveProcessorCount=" + cores, plan.activeProcessorCountFlag());
        long shares = plan.services().stream().mapToLong(ServiceSize::shareMb).sum();
        assertEquals(true, shares + Sizer.AGENT_OVERHEAD_MB <= gib * 1024L, "never more than the limit: " + shares);
    }

    @Test
    void smallDefaultZookeeperNodeInDetail() throws IOException {
        SizingPlan plan = Sizer.size(flavor(2, 8), Services.of("default", "zookeeper"), Map.of());

        ServiceSize broker = plan.service("kafka-broker").orElseThrow();
        assertEquals(6502, broker.shareMb(), "4/5 of 8192 - 64");
        assertEquals(List.of("-Xms3251m", "-Xmx3251m"), broker.jvmFlags());
        assertEquals(List.of(
                "memory: 8192 MiB from /sys/fs/cgroup/memory.max (container limit)",
                "cpu: 2.00 from /sys/fs/cgroup/cpu.max (container quota) -> -XX:ActiveProcessorCount=2",
                "agent overhead: 64 MiB",
                "kafka-broker: share 6502 MiB, heap 3251 MiB (weight 4 of 5, heapFraction 0.5) -> -Xms3251m -Xmx3251m",
                "zookeeper: share 1625 MiB, heap 812 MiB (weight 1 of 5, heapFraction 0.5) -> -Xms812m -Xmx812m"),
                plan.explain());
    }

    @Test
    void aServiceBelowItsMinimumByWeightIsRaisedWhenTheMinimumsFit() {
        // 1 GiB: by weight ZooKeeper would get 192 MiB (heap 96 < 128); both minimums (512 + 256 + 64) fit.
        SizingPlan plan = Sizer.size(memory(1024), List.of(KAFKA_BROKER, ZOOKEEPER), Map.of());

        assertEquals("kafka-broker=352 zookeeper=128", heaps(plan));
        assertEquals(256, plan.service("zookeeper").orElseThrow().shareMb());
        assertEquals("raised to the share its minHeapMb 128 needs, heapFraction 0.5", plan.service("zookeeper").orElseThrow().how());
        assertEquals(704, plan.service("kafka-broker").orElseThrow().shareMb());
    }

    @Test
    void aBudgetFromEnvIsCalledABudgetNotAContainerLimit() {
        ContainerLimits budget = new ContainerLimits(700 * MIB, "env AGENT_MEMORY_MB", ContainerLimits.MemoryBound.BUDGET, 2,
                "Runtime.availableProcessors()", false, Optional.empty(), 2);
        SizingPlan plan = Sizer.size(new ContainerLimits(2048 * MIB, "env AGENT_MEMORY_MB", ContainerLimits.MemoryBound.BUDGET, 2,
                "Runtime.availableProcessors()", false, Optional.empty(), 2), List.of(ZOOKEEPER), Map.of());
        assertEquals("memory: 2048 MiB from env AGENT_MEMORY_MB (a budget for this node, not a container limit)", plan.explain().get(0));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Sizer.size(budget, List.of(KAFKA_BROKER, ZOOKEEPER), Map.of()));
        assertTrue(e.getMessage().startsWith("memory limit 700 MiB (a budget for this node, not a container limit, read from env "
                + "AGENT_MEMORY_MB)"), e.getMessage());
        assertTrue(e.getMessage().contains("Raise AGENT_MEMORY_MB to at least 832 MiB"), e.getMessage());
    }

    @Test
    void aLimitTooSmallIsRefusedWithWhatEachServiceNeeds() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Sizer.size(memory(768), List.of(KAFKA_BROKER, ZOOKEEPER), Map.of()));

        assertEquals("memory limit 768 MiB (container limit, read from /sys/fs/cgroup/memory.max) is too small for the "
                + "services of this node (kafka-broker, zookeeper): the agent needs 64 MiB, kafka-broker at least 512 MiB "
                + "(minHeapMb 256 at heapFraction 0.5), zookeeper at least 256 MiB (minHeapMb 128 at heapFraction 0.5); "
                + "832 MiB in all. Raise the container's memory limit to at least 832 MiB, or run fewer services per node "
                + "(a cluster config with one service per role, such as production).", e.getMessage());
    }

    @Test
    void exactlyEnoughIsNotRefused() {
        SizingPlan plan = Sizer.size(memory(832), List.of(KAFKA_BROKER, ZOOKEEPER), Map.of());

        assertEquals("kafka-broker=256 zookeeper=128", heaps(plan));
    }

    @Test
    void envOverrideFixesOneHeapAndCountsItsShareAgainstTheLimit() throws IOException {
        SizingPlan plan = Sizer.size(flavor(2, 8), List.of(KAFKA_BROKER, ZOOKEEPER),
                Map.of("AGENT_HEAP_MB_KAFKA_BROKER", "1024", "AGENT_HEAP_MB_SCHEMA_REGISTRY", "5000"));

        ServiceSize broker = plan.service("kafka-broker").orElseThrow();
        assertEquals(1024, broker.heapMb());
        assertEquals(2048, broker.shareMb(), "heap / heapFraction");
        assertEquals("fixed by AGENT_HEAP_MB_KAFKA_BROKER=1024", broker.how());
        ServiceSize zk = plan.service("zookeeper").orElseThrow();
        assertEquals(8192 - 64 - 2048, zk.shareMb(), "ZooKeeper gets the rest");
        assertEquals(1024, zk.heapMb(), "capped");
    }

    @Test
    void envOverrideBeyondTheLimitIsRefusedAndNamed() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Sizer.size(memory(2048), List.of(KAFKA_BROKER, ZOOKEEPER), Map.of("AGENT_HEAP_MB_KAFKA_BROKER", "1024")));

        assertEquals("memory limit 2048 MiB (container limit, read from /sys/fs/cgroup/memory.max) is too small for the "
                + "services of this node (kafka-broker, zookeeper): the agent needs 64 MiB, kafka-broker at least 2048 MiB "
                + "(heap fixed at 1024 MiB by AGENT_HEAP_MB_KAFKA_BROKER at heapFraction 0.5), zookeeper at least 256 MiB "
                + "(minHeapMb 128 at heapFraction 0.5); 2368 MiB in all. Raise the container's memory limit to at least "
                + "2368 MiB, or run fewer services per node (a cluster config with one service per role, such as "
                + "production), or lower AGENT_HEAP_MB_KAFKA_BROKER.", e.getMessage());
    }

    @Test
    void envOverrideThatIsNotANumberIsNamed() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Sizer.size(memory(8192), List.of(KAFKA_BROKER), Map.of("AGENT_HEAP_MB_KAFKA_BROKER", "1g")));

        assertEquals("env AGENT_HEAP_MB_KAFKA_BROKER='1g' is not a heap size: write a whole number of MiB, e.g. "
                + "AGENT_HEAP_MB_KAFKA_BROKER=1024, or unset it to size kafka-broker from the memory limit", e.getMessage());
    }

    @Test
    void fixedMemoryIsSetAsideAndAddedToItsServicesShare() {
        var sidecar = Services.svc("sidecar", 0, 32, 0, 0.5, 256);

        SizingPlan plan = Sizer.size(memory(1088), List.of(sidecar, ZOOKEEPER), Map.of());

        assertEquals(256, plan.service("sidecar").orElseThrow().shareMb());
        assertEquals(128, plan.service("sidecar").orElseThrow().heapMb());
        assertEquals(1088 - 64 - 256, plan.service("zookeeper").orElseThrow().shareMb());
    }

    @Test
    void heapEnvNameUpperCasesAndReplacesDashes() {
        assertEquals("AGENT_HEAP_MB_SCHEMA_REGISTRY", Sizer.heapEnvName("schema-registry"));
        assertEquals("AGENT_HEAP_MB_ZOOKEEPER", Sizer.heapEnvName("zookeeper"));
    }

    @Test
    void cpusPrintWithTwoDecimalsLikeStringFormat() {
        for (double cpus : new double[] {0, 0.005, 0.25, 1, 1.5, 2.999, 3.14159, 16, 0.1}) {
            assertEquals(String.format(java.util.Locale.ROOT, "%.2f", cpus), SizingPlan.twoDecimals(cpus), "cpus " + cpus);
        }
    }
}
