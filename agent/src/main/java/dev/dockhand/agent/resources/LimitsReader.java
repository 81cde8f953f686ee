package dev.dockhand.agent.resources;

import dev.dockhand.agent.core.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * Reads this container's memory and CPU limits from cgroup v2 or v1, falling back to the machine.
 * Every path is resolved under {@code root} ({@code /} in production, a jimfs root in tests).
 *
 * <p>The process's own cgroup comes from {@code /proc/self/cgroup}. Limits are read from that cgroup
 * and each of its ancestors that is visible under the mount, and the smallest wins: a limit set on a
 * parent (a Kubernetes pod, a systemd slice) binds the child as much as its own. Without a private
 * cgroup namespace the path in {@code /proc/self/cgroup} may not exist under the mount; then only the
 * directories that exist are read (usually the mount's root, which is the container's cgroup).
 */
public final class LimitsReader {
    /** v1 writes "no limit" as LONG_MAX rounded down to a page (9223372036854771712); anything this big is none. */
    static final long V1_UNLIMITED_FROM = 1L << 62;

    private final Path root;
    private final IntSupplier availableProcessors;

    public LimitsReader(Path root, IntSupplier availableProcessors) {
        this.root = root;
        this.availableProcessors = availableProcessors;
    }

    /** The real machine: {@code /} of the default file system and {@link Runtime#availableProcessors()}. */
    public static LimitsReader system() {
        return new LimitsReader(FileSystems.getDefault().getPath("/"), Runtime.getRuntime()::availableProcessors);
    }

    public ContainerLimits read() {
        Path cgroupFs = root.resolve("sys/fs/cgroup");
        List<String> selfCgroup = lines(root.resolve("proc/self/cgroup"));
        if (Files.exists(cgroupFs.resolve("cgroup.controllers"))) {
            return v2(cgroupFs, cgroupPath(selfCgroup, ""));
        }
        if (Files.isDirectory(cgroupFs.resolve("memory")) || Files.isDirectory(cgroupFs.resolve("cpu"))) {
            return v1(cgroupFs, selfCgroup);
        }
        Found mem = machineMemory(null);
        return new ContainerLimits(mem.value, mem.source, ContainerLimits.MemoryBound.MACHINE, processors(), PROCESSORS, false,
                Optional.empty(), 0);
    }

    private static final String PROCESSORS = "Runtime.availableProcessors()";

    private ContainerLimits v2(Path cgroupFs, String path) {
        List<Path> dirs = hierarchy(cgroupFs, path);
        Found limit = null;
        Double quota = null;
        String quotaSource = null;
        Long weight = null;
        for (Path dir : dirs) {
            Path memMax = dir.resolve("memory.max");
            String m = read(memMax);
            if (m != null && !m.equals("max")) {
                long v = number(memMax, m);
                if (limit == null || v < limit.value) {
                    limit = new Found(v, display(memMax));
                }
            }
            Path cpuMax = dir.resolve("cpu.max");
            String c = read(cpuMax);
            if (c != null) {
                String[] f = c.split("\\s+");
                if (f.length != 2) {
                    throw unreadable(cpuMax, c, "QUOTA PERIOD or max PERIOD");
                }
                if (!f[0].equals("max")) {
                    double q = (double) number(cpuMax, f[0]) / positive(cpuMax, f[1]);
                    if (quota == null || q < quota) {
                        quota = q;
                        quotaSource = display(cpuMax);
                    }
                }
            }
            if (weight == null) {
                Path w = dir.resolve("cpu.weight");
                String s = read(w);
                weight = s == null ? null : number(w, s);
            }
        }
        return limits(limit, quota, quotaSource, Optional.ofNullable(weight), 2);
    }

    private ContainerLimits v1(Path cgroupFs, List<String> selfCgroup) {
        Found limit = null;
        Path memMount = cgroupFs.resolve("memory");
        for (Path dir : hierarchy(memMount, cgroupPath(selfCgroup, "memory"))) {
            Path f = dir.resolve("memory.limit_in_bytes");
            String s = read(f);
            if (s != null) {
                long v = number(f, s);
                if (v < V1_UNLIMITED_FROM && (limit == null || v < limit.value)) {
                    limit = new Found(v, display(f));
                }
            }
        }
        Double quota = null;
        String quotaSource = null;
        Long shares = null;
        Path cpuMount = firstDir(cgroupFs, "cpu", "cpu,cpuacct", "cpuacct,cpu");
        if (cpuMount != null) {
            for (Path dir : hierarchy(cpuMount, cgroupPath(selfCgroup, "cpu"))) {
                Path qf = dir.resolve("cpu.cfs_quota_us");
                Path pf = dir.resolve("cpu.cfs_period_us");
                String q = read(qf);
                String p = read(pf);
                if (q != null && p != null && !q.equals("-1")) {
                    double cores = (double) number(qf, q) / positive(pf, p);
                    if (quota == null || cores < quota) {
                        quota = cores;
                        quotaSource = display(qf) + " / " + display(pf);
                    }
                }
                if (shares == null) {
                    Path sf = dir.resolve("cpu.shares");
                    String s = read(sf);
                    shares = s == null ? null : number(sf, s);
                }
            }
        }
        return limits(limit, quota, quotaSource, Optional.ofNullable(shares), 1);
    }

    private ContainerLimits limits(Found limit, Double quota, String quotaSource, Optional<Long> shares, int version) {
        Found memory = machineMemory(limit);
        boolean limited = limit != null && memory == limit;
        int processors = processors();
        double cpus = quota == null ? processors : Math.min(quota, processors);
        boolean cpuLimited = quota != null && quota <= processors;
        return new ContainerLimits(memory.value, memory.source,
                limited ? ContainerLimits.MemoryBound.CONTAINER_LIMIT : ContainerLimits.MemoryBound.MACHINE, cpus,
                cpuLimited ? quotaSource : PROCESSORS, cpuLimited, shares, version);
    }

    /** The cgroup limit, unless the machine is smaller (a limit above the machine's memory limits nothing). */
    private Found machineMemory(Found limit) {
        Path meminfo = root.resolve("proc/meminfo");
        Found machine = null;
        for (String line : lines(meminfo)) {
            if (line.startsWith("MemTotal:")) {
                String[] f = line.substring("MemTotal:".length()).trim().split("\\s+");
                machine = new Found(number(meminfo, f[0]) * 1024, display(meminfo) + " MemTotal");
            }
        }
        if (limit != null && (machine == null || limit.value <= machine.value)) {
            return limit;
        }
        if (machine == null) {
            throw new InvalidInputException("cannot tell how much memory this machine has: " + display(meminfo)
                    + " has no MemTotal line and no cgroup memory limit is set; give the container a memory limit");
        }
        return machine;
    }

    private int processors() {
        return Math.max(1, availableProcessors.getAsInt());
    }

    /** The path of the cgroup line for {@code controller} ("" means the v2 line {@code 0::/path}). */
    private static String cgroupPath(List<String> selfCgroup, String controller) {
        for (String line : selfCgroup) {
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            boolean match = controller.isEmpty()
                    ? f[0].equals("0") && f[1].isEmpty()
                    : List.of(f[1].split(",")).contains(controller);
            if (match) {
                return f[2];
            }
        }
        return "/";
    }

    /** The cgroup's directory and each ancestor up to the mount, leaf first; only those that exist. */
    private static List<Path> hierarchy(Path mount, String cgroupPath) {
        List<Path> out = new ArrayList<>();
        String p = cgroupPath.replaceAll("^/+|/+$", "");
        while (true) {
            Path dir = p.isEmpty() ? mount : mount.resolve(p);
            if (Files.isDirectory(dir)) {
                out.add(dir);
            }
            if (p.isEmpty()) {
                return out;
            }
            int cut = p.lastIndexOf('/');
            p = cut < 0 ? "" : p.substring(0, cut);
        }
    }

    private static Path firstDir(Path parent, String... names) {
        for (String n : names) {
            if (Files.isDirectory(parent.resolve(n))) {
                return parent.resolve(n);
            }
        }
        return null;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            // an unreadable control file is as good as absent; the fallback still applies
            return null;
        }
    }

    private static List<String> lines(Path file) {
        String s = read(file);
        return s == null ? List.of() : List.of(s.split("\n"));
    }

    private static long number(Path file, String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw unreadable(file, text, "a number");
        }
    }

    private static long positive(Path file, String text) {
        long v = number(file, text);
        if (v <= 0) {
            throw unreadable(file, text, "a positive number");
        }
        return v;
    }

    private static InvalidInputException unreadable(Path file, String text, String expected) {
        return new InvalidInputException("cgroup file " + display(file) + " holds '" + text + "', expected "
                + expected + "; the agent cannot size services without it (report this with the output of `cat "
                + display(file) + "`)");
    }

    /** The path as seen inside the container, whatever file system the root belongs to. */
    private static String display(Path file) {
        return file.toString();
    }

    private record Found(long value, String source) {}
}
