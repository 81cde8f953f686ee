package dev.dockhand.agent.resources;

import dev.dockhand.agent.core.InvalidInputException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Splits a node's memory among the services its role runs (see the package documentation for the
 * rules). Pure: limits, services and env in; a plan or an {@link InvalidInputException} out.
 */
public final class Sizer {
    /** Memory kept for the agent itself (measured idle RSS 35-40 MB, plus room for the control plane). */
    public static final long AGENT_OVERHEAD_MB = 64;

    /** No JVM service of this image starts with less heap than this, whatever its catalog entry says. */
    public static final int MIN_HEAP_FLOOR_MB = 32;

    /** Prefix of the env var that fixes one service's heap in MiB: {@code AGENT_HEAP_MB_KAFKA_BROKER=1024}. */
    public static final String HEAP_ENV_PREFIX = "AGENT_HEAP_MB_";

    private Sizer() {}

    /** {@code AGENT_HEAP_MB_} + the service id in upper case with every other character than A-Z, 0-9 as {@code _}. */
    public static String heapEnvName(String serviceId) {
        return HEAP_ENV_PREFIX + serviceId.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    public static SizingPlan size(ContainerLimits limits, List<MemoryDemand> services, Map<String, String> env) {
        return size(limits, services, env, AGENT_OVERHEAD_MB);
    }

    public static SizingPlan size(ContainerLimits limits, List<MemoryDemand> services, Map<String, String> env, long overheadMb) {
        long limitMb = limits.memoryMb();
        Map<String, Integer> overrides = overrides(services, env);

        // What each service needs at the least; if the sum does not fit, refuse before splitting anything.
        Map<String, Long> need = new LinkedHashMap<>();
        for (MemoryDemand s : services) {
            MemoryDemand m = s;
            Integer h = overrides.get(s.serviceId());
            long minShare = h != null ? shareFor(h, m.heapFraction()) : shareFor(m.minHeapMb(), m.heapFraction());
            need.put(s.serviceId(), Math.max(m.fixedMb(), minShare));
        }
        long needed = overheadMb + need.values().stream().mapToLong(Long::longValue).sum();
        if (needed > limitMb) {
            throw new InvalidInputException(refusal(limits, services, overrides, need, overheadMb, needed));
        }

        // Overridden services take exactly their share; fixed memory is set aside; the rest is split by weight.
        long avail = limitMb - overheadMb;
        List<MemoryDemand> weighted = new ArrayList<>();
        for (MemoryDemand s : services) {
            if (overrides.containsKey(s.serviceId())) {
                avail -= need.get(s.serviceId());
            } else {
                avail -= s.fixedMb();
                weighted.add(s);
            }
        }
        // Water-filling: a service whose weighted part would fall short of its minimum is pinned there and
        // the others share what is left, until nobody falls short. Terminates: each round pins one more.
        Map<String, Long> pinned = new HashMap<>();
        Map<String, Double> part = new HashMap<>();
        boolean changed = true;
        while (changed) {
            changed = false;
            long free = avail - pinned.values().stream().mapToLong(Long::longValue).sum();
            int weights = weighted.stream().filter(s -> !pinned.containsKey(s.serviceId())).mapToInt(s -> s.weight()).sum();
            for (MemoryDemand s : weighted) {
                if (pinned.containsKey(s.serviceId())) {
                    continue;
                }
                double p = weights == 0 ? 0 : (double) free * s.weight() / weights;
                long minPart = Math.max(0, need.get(s.serviceId()) - s.fixedMb());
                if (p < minPart) {
                    pinned.put(s.serviceId(), minPart);
                    changed = true;
                    break;
                }
                part.put(s.serviceId(), p);
            }
        }

        int totalWeight = weighted.stream().filter(s -> !pinned.containsKey(s.serviceId())).mapToInt(s -> s.weight()).sum();
        List<ServiceSize> out = new ArrayList<>();
        for (MemoryDemand s : services) {
            MemoryDemand m = s;
            Integer h = overrides.get(s.serviceId());
            if (h != null) {
                out.add(new ServiceSize(s.serviceId(), need.get(s.serviceId()), h, "fixed by " + heapEnvName(s.serviceId()) + "=" + h));
                continue;
            }
            long share;
            String how;
            if (pinned.containsKey(s.serviceId())) {
                share = m.fixedMb() + pinned.get(s.serviceId());
                how = "raised to the share its minHeapMb " + m.minHeapMb() + " needs";
            } else {
                share = m.fixedMb() + (long) Math.floor(part.get(s.serviceId()));
                how = "weight " + m.weight() + " of " + totalWeight
                        + (m.fixedMb() > 0 ? " plus fixedMb " + m.fixedMb() : "");
            }
            int heap = (int) Math.floor(share * m.heapFraction() + 1e-9);
            how += ", heapFraction " + fraction(m.heapFraction());
            if (m.maxHeapMb() > 0 && heap > m.maxHeapMb()) {
                heap = m.maxHeapMb();
                how += ", capped at maxHeapMb " + m.maxHeapMb();
            }
            out.add(new ServiceSize(s.serviceId(), share, heap, how));
        }
        return new SizingPlan(limits, overheadMb, out);
    }

    /** Share a heap of {@code heapMb} needs when it is {@code fraction} of the share. */
    private static long shareFor(int heapMb, double fraction) {
        return (long) Math.ceil(heapMb / fraction - 1e-9);
    }

    private static Map<String, Integer> overrides(List<MemoryDemand> services, Map<String, String> env) {
        Map<String, Integer> out = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (MemoryDemand s : services) {
            String name = heapEnvName(s.serviceId());
            String v = env.get(name);
            if (v == null) {
                continue;
            }
            int h;
            try {
                h = Integer.parseInt(v.trim());
                if (h <= 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                problems.add("env " + name + "='" + dev.dockhand.agent.core.Names.printable(v) + "' is not a heap size: write a whole "
                        + "number of MiB, e.g. " + name + "=1024, or unset it to size " + s.serviceId() + " from the memory limit");
                continue;
            }
            int floor = Math.max(MIN_HEAP_FLOOR_MB, s.minHeapMb());
            if (h < floor) {
                problems.add("env " + name + "=" + h + " is below the " + floor + " MiB heap " + s.serviceId()
                        + " needs at the least (the catalog's minHeapMb); its JVM would not start or not last. Give it "
                        + floor + " MiB or more, or unset " + name + " to size it from the memory limit");
                continue;
            }
            out.put(s.serviceId(), h);
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return out;
    }

    private static String refusal(ContainerLimits limits, List<MemoryDemand> services, Map<String, Integer> overrides,
            Map<String, Long> need, long overheadMb, long needed) {
        StringBuilder b = new StringBuilder();
        b.append("memory limit ").append(limits.memoryMb()).append(" MiB (")
                .append(limits.memoryBound() == ContainerLimits.MemoryBound.MACHINE ? "no container limit: machine memory"
                        : limits.memoryBound().words())
                .append(", read from ").append(limits.memorySource()).append(") is too small for the services of this node (")
                .append(String.join(", ", services.stream().map(MemoryDemand::serviceId).toList()))
                .append("): the agent needs ").append(overheadMb).append(" MiB");
        for (MemoryDemand s : services) {
            MemoryDemand m = s;
            b.append(", ").append(s.serviceId()).append(" at least ").append(need.get(s.serviceId())).append(" MiB (");
            Integer h = overrides.get(s.serviceId());
            if (h != null) {
                b.append("heap fixed at ").append(h).append(" MiB by ").append(heapEnvName(s.serviceId()));
            } else {
                b.append("minHeapMb ").append(m.minHeapMb());
            }
            b.append(" at heapFraction ").append(fraction(m.heapFraction()));
            if (m.fixedMb() > shareFor(h != null ? h : m.minHeapMb(), m.heapFraction())) {
                b.append(", fixedMb ").append(m.fixedMb());
            }
            b.append(')');
        }
        b.append("; ").append(needed).append(" MiB in all. Raise ")
                .append(limits.memoryBound() == ContainerLimits.MemoryBound.BUDGET ? limits.memorySource().replaceFirst("^env ", "")
                        : "the container's memory limit")
                .append(" to at least ").append(needed).append(" MiB, or run fewer services per node (a cluster config with one service per role, such as production)");
        if (!overrides.isEmpty()) {
            b.append(", or lower ").append(String.join(", ", overrides.keySet().stream().sorted().map(Sizer::heapEnvName).toList()));
        }
        return b.append('.').toString();
    }

    private static String fraction(double f) {
        String s = Double.toString(f);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }
}
