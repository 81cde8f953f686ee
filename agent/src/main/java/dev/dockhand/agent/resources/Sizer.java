package dev.dockhand.agent.resources;

import dev.dockhand.agent.InvalidInputException;
import dev.dockhand.agent.catalog.MemorySpec;
import dev.dockhand.agent.catalog.ServiceSpec;
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

    /** Prefix of the env var that fixes one service's heap in MiB: {@code AGENT_HEAP_MB_KAFKA_BROKER=1024}. */
    public static final String HEAP_ENV_PREFIX = "AGENT_HEAP_MB_";

    private Sizer() {}

    /** {@code AGENT_HEAP_MB_} + the service id in upper case with every other character than A-Z, 0-9 as {@code _}. */
    public static String heapEnvName(String serviceId) {
        return HEAP_ENV_PREFIX + serviceId.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    public static SizingPlan size(ContainerLimits limits, List<ServiceSpec> services, Map<String, String> env) {
        return size(limits, services, env, AGENT_OVERHEAD_MB);
    }

    public static SizingPlan size(ContainerLimits limits, List<ServiceSpec> services, Map<String, String> env, long overheadMb) {
        long limitMb = limits.memoryMb();
        Map<String, Integer> overrides = overrides(services, env);

        // What each service needs at the least; if the sum does not fit, refuse before splitting anything.
        Map<String, Long> need = new LinkedHashMap<>();
        for (ServiceSpec s : services) {
            MemorySpec m = s.memory();
            Integer h = overrides.get(s.id());
            long minShare = h != null ? shareFor(h, m.heapFraction()) : shareFor(m.minHeapMb(), m.heapFraction());
            need.put(s.id(), Math.max(m.fixedMb(), minShare));
        }
        long needed = overheadMb + need.values().stream().mapToLong(Long::longValue).sum();
        if (needed > limitMb) {
            throw new InvalidInputException(refusal(limits, services, overrides, need, overheadMb, needed));
        }

        // Overridden services take exactly their share; fixed memory is set aside; the rest is split by weight.
        long avail = limitMb - overheadMb;
        List<ServiceSpec> weighted = new ArrayList<>();
        for (ServiceSpec s : services) {
            if (overrides.containsKey(s.id())) {
                avail -= need.get(s.id());
            } else {
                avail -= s.memory().fixedMb();
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
            int weights = weighted.stream().filter(s -> !pinned.containsKey(s.id())).mapToInt(s -> s.memory().weight()).sum();
            for (ServiceSpec s : weighted) {
                if (pinned.containsKey(s.id())) {
                    continue;
                }
                double p = weights == 0 ? 0 : (double) free * s.memory().weight() / weights;
                long minPart = Math.max(0, need.get(s.id()) - s.memory().fixedMb());
                if (p < minPart) {
                    pinned.put(s.id(), minPart);
                    changed = true;
                    break;
                }
                part.put(s.id(), p);
            }
        }

        int totalWeight = weighted.stream().filter(s -> !pinned.containsKey(s.id())).mapToInt(s -> s.memory().weight()).sum();
        List<ServiceSize> out = new ArrayList<>();
        for (ServiceSpec s : services) {
            MemorySpec m = s.memory();
            Integer h = overrides.get(s.id());
            if (h != null) {
                out.add(new ServiceSize(s.id(), need.get(s.id()), h, "fixed by " + heapEnvName(s.id()) + "=" + h));
                continue;
            }
            long share;
            String how;
            if (pinned.containsKey(s.id())) {
                share = m.fixedMb() + pinned.get(s.id());
                how = "raised to the share its minHeapMb " + m.minHeapMb() + " needs";
            } else {
                share = m.fixedMb() + (long) Math.floor(part.get(s.id()));
                how = "weight " + m.weight() + " of " + totalWeight
                        + (m.fixedMb() > 0 ? " plus fixedMb " + m.fixedMb() : "");
            }
            int heap = (int) Math.floor(share * m.heapFraction() + 1e-9);
            how += ", heapFraction " + fraction(m.heapFraction());
            if (m.maxHeapMb() > 0 && heap > m.maxHeapMb()) {
                heap = m.maxHeapMb();
                how += ", capped at maxHeapMb " + m.maxHeapMb();
            }
            out.add(new ServiceSize(s.id(), share, heap, how));
        }
        return new SizingPlan(limits, overheadMb, out);
    }

    /** Share a heap of {@code heapMb} needs when it is {@code fraction} of the share. */
    private static long shareFor(int heapMb, double fraction) {
        return (long) Math.ceil(heapMb / fraction - 1e-9);
    }

    private static Map<String, Integer> overrides(List<ServiceSpec> services, Map<String, String> env) {
        Map<String, Integer> out = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (ServiceSpec s : services) {
            String name = heapEnvName(s.id());
            String v = env.get(name);
            if (v == null) {
                continue;
            }
            try {
                int h = Integer.parseInt(v.trim());
                if (h <= 0) {
                    throw new NumberFormatException();
                }
                out.put(s.id(), h);
            } catch (NumberFormatException e) {
                problems.add("env " + name + "='" + v + "' is not a heap size: write a whole number of MiB, e.g. "
                        + name + "=1024, or unset it to size " + s.id() + " from the memory limit");
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return out;
    }

    private static String refusal(ContainerLimits limits, List<ServiceSpec> services, Map<String, Integer> overrides,
            Map<String, Long> need, long overheadMb, long needed) {
        StringBuilder b = new StringBuilder();
        b.append("memory limit ").append(limits.memoryMb()).append(" MiB (")
                .append(limits.memoryBound() == ContainerLimits.MemoryBound.MACHINE ? "no container limit: machine memory"
                        : limits.memoryBound().words())
                .append(", read from ").append(limits.memorySource()).append(") is too small for the services of this node (")
                .append(String.join(", ", services.stream().map(ServiceSpec::id).toList()))
                .append("): the agent needs ").append(overheadMb).append(" MiB");
        for (ServiceSpec s : services) {
            MemorySpec m = s.memory();
            b.append(", ").append(s.id()).append(" at least ").append(need.get(s.id())).append(" MiB (");
            Integer h = overrides.get(s.id());
            if (h != null) {
                b.append("heap fixed at ").append(h).append(" MiB by ").append(heapEnvName(s.id()));
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
