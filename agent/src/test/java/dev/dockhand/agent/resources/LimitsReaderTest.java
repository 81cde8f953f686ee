package dev.dockhand.agent.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.dockhand.agent.core.InvalidInputException;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LimitsReaderTest {
    private static final long GIB = 1024L * 1024 * 1024;
    private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
    private final Path root = fs.getPath("/");

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    private void write(String path, String content) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private void machine(long memTotalKb) throws IOException {
        write("proc/meminfo", "MemTotal:       " + memTotalKb + " kB\nMemFree:         1000 kB\n");
    }

    private ContainerLimits read(int processors) {
        return new LimitsReader(root, () -> processors).read();
    }

    @Test
    void v2WithMaxEverywhereFallsBackToTheMachine() throws IOException {
        machine(16 * 1024 * 1024);
        write("proc/self/cgroup", "0::/\n");
        write("sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n");
        write("sys/fs/cgroup/memory.max", "max\n");
        write("sys/fs/cgroup/cpu.max", "max 100000\n");

        ContainerLimits l = read(6);

        assertEquals(16 * GIB, l.memoryBytes());
        assertEquals("/proc/meminfo MemTotal", l.memorySource());
        assertEquals(ContainerLimits.MemoryBound.MACHINE, l.memoryBound());
        assertEquals(6, l.cpuCount());
        assertEquals("Runtime.availableProcessors()", l.cpuSource());
        assertFalse(l.cpuLimited());
        assertEquals(2, l.cgroupVersion());
    }

    @Test
    void v2LimitOnTheContainersOwnCgroup() throws IOException {
        machine(64 * 1024 * 1024);
        write("proc/self/cgroup", "0::/\n");
        write("sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
        write("sys/fs/cgroup/memory.max", String.valueOf(8 * GIB));
        write("sys/fs/cgroup/cpu.max", "200000 100000");
        write("sys/fs/cgroup/cpu.weight", "100");

        ContainerLimits l = read(16);

        assertEquals(8 * GIB, l.memoryBytes());
        assertEquals("/sys/fs/cgroup/memory.max", l.memorySource());
        assertEquals(ContainerLimits.MemoryBound.CONTAINER_LIMIT, l.memoryBound());
        assertEquals(2.0, l.cpus());
        assertEquals(2, l.cpuCount());
        assertEquals("/sys/fs/cgroup/cpu.max", l.cpuSource());
        assertEquals(Optional.of(100L), l.cpuShares());
    }

    @Test
    void v2NestedPathTakesTheSmallestLimitOfTheCgroupAndItsAncestors() throws IOException {
        machine(64 * 1024 * 1024);
        write("proc/self/cgroup", "0::/kubepods.slice/pod-1.slice/ctr-abc.scope\n");
        write("sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
        write("sys/fs/cgroup/kubepods.slice/memory.max", String.valueOf(32 * GIB));
        write("sys/fs/cgroup/kubepods.slice/pod-1.slice/memory.max", String.valueOf(3 * GIB));
        write("sys/fs/cgroup/kubepods.slice/pod-1.slice/ctr-abc.scope/memory.max", "max");
        write("sys/fs/cgroup/kubepods.slice/pod-1.slice/ctr-abc.scope/cpu.max", "150000 100000");
        write("sys/fs/cgroup/kubepods.slice/pod-1.slice/cpu.max", "max 100000");

        ContainerLimits l = read(8);

        assertEquals(3 * GIB, l.memoryBytes());
        assertEquals("/sys/fs/cgroup/kubepods.slice/pod-1.slice/memory.max", l.memorySource());
        assertEquals(1.5, l.cpus());
        assertEquals(2, l.cpuCount(), "1.5 cores round up");
        assertEquals("/sys/fs/cgroup/kubepods.slice/pod-1.slice/ctr-abc.scope/cpu.max", l.cpuSource());
    }

    @Test
    void v2PathNotVisibleWithoutACgroupNamespaceReadsTheMountRoot() throws IOException {
        machine(64 * 1024 * 1024);
        write("proc/self/cgroup", "0::/system.slice/docker-abc.scope\n");
        write("sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
        write("sys/fs/cgroup/memory.max", String.valueOf(GIB));

        assertEquals(GIB, read(2).memoryBytes());
    }

    @Test
    void v1UnlimitedIsTheMachineAndSharesAreShownNotUsed() throws IOException {
        machine(24684096);
        write("proc/self/cgroup", "4:memory:/\n3:cpuset:/\n2:cpu,cpuacct:/\n0::/\n");
        write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
        write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
        write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
        write("sys/fs/cgroup/cpu,cpuacct/cpu.shares", "4096\n");
        Files.createDirectories(root.resolve("sys/fs/cgroup/unified")); // hybrid hosts: empty v2 mount beside v1

        ContainerLimits l = read(2);

        assertEquals(24684096L * 1024, l.memoryBytes());
        assertEquals(ContainerLimits.MemoryBound.MACHINE, l.memoryBound());
        assertEquals(2, l.cpuCount(), "shares 4096 would say 4; they are a weight, not a limit");
        assertEquals(Optional.of(4096L), l.cpuShares());
        assertEquals(1, l.cgroupVersion());
    }

    @Test
    void v1LimitAndQuotaUnderTheProcesssCgroup() throws IOException {
        machine(64 * 1024 * 1024);
        write("proc/self/cgroup", "9:memory:/docker/abc\n5:cpu,cpuacct:/docker/abc\n");
        write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712");
        write("sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", String.valueOf(12 * GIB));
        write("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "50000");
        write("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000");

        ContainerLimits l = read(8);

        assertEquals(12 * GIB, l.memoryBytes());
        assertEquals("/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", l.memorySource());
        assertEquals(0.5, l.cpus());
        assertEquals(1, l.cpuCount(), "half a core is still one processor");
        assertEquals("/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us / /sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us",
                l.cpuSource());
    }

    @Test
    void aLimitAboveTheMachineIsTheMachine() throws IOException {
        machine(4 * 1024 * 1024);
        write("proc/self/cgroup", "0::/\n");
        write("sys/fs/cgroup/cgroup.controllers", "memory\n");
        write("sys/fs/cgroup/memory.max", String.valueOf(8 * GIB));
        write("sys/fs/cgroup/cpu.max", "800000 100000");

        ContainerLimits l = read(2);

        assertEquals(4 * GIB, l.memoryBytes());
        assertEquals(ContainerLimits.MemoryBound.MACHINE, l.memoryBound());
        assertEquals(2, l.cpuCount(), "a quota above the processors the JVM sees is no limit");
        assertFalse(l.cpuLimited());
    }

    @Test
    void noCgroupAtAllIsTheMachine() throws IOException {
        machine(2 * 1024 * 1024);

        ContainerLimits l = read(3);

        assertEquals(2 * GIB, l.memoryBytes());
        assertEquals(3, l.cpuCount());
        assertEquals(0, l.cgroupVersion());
    }

    @Test
    void garbageInACgroupFileNamesTheFile() throws IOException {
        machine(2 * 1024 * 1024);
        write("proc/self/cgroup", "0::/\n");
        write("sys/fs/cgroup/cgroup.controllers", "memory\n");
        write("sys/fs/cgroup/memory.max", "lots");

        InvalidInputException e = assertThrows(InvalidInputException.class, () -> read(2));

        assertEquals("cgroup file /sys/fs/cgroup/memory.max holds 'lots', expected a number; the agent cannot size "
                + "services without it (report this with the output of `cat /sys/fs/cgroup/memory.max`)", e.getMessage());
    }

    @Test
    void noMemoryFigureAnywhereIsAClearError() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> read(2));

        assertTrue(e.getMessage().startsWith("cannot tell how much memory this machine has: /proc/meminfo"), e.getMessage());
    }
}
