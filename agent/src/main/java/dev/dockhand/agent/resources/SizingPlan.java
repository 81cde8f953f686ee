package dev.dockhand.agent.resources;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of sizing one node: the limits read, what was reserved, and each service's heap.
 *
 * @param limits the container's limits and where they were read
 * @param agentOverheadMb memory kept for the agent itself
 * @param services one entry per service of the role, in the order given to {@link Sizer}
 */
public record SizingPlan(ContainerLimits limits, long agentOverheadMb, List<ServiceSize> services) {

    public SizingPlan {
        services = List.copyOf(services);
    }

    public Optional<ServiceSize> service(String id) {
        return services.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /** For every JVM of the node: {@code -XX:ActiveProcessorCount=<cpus rounded up>}. */
    public String activeProcessorCountFlag() {
        return "-XX:ActiveProcessorCount=" + limits.cpuCount();
    }

    /** Lines for {@code agent render --explain}: the limits, where they came from, and every heap. */
    public List<String> explain() {
        List<String> out = new ArrayList<>();
        out.add("memory: " + limits.memoryMb() + " MiB from " + limits.memorySource() + " (" + limits.memoryBound().words() + ")");
        out.add("cpu: " + twoDecimals(limits.cpus()) + " from " + limits.cpuSource()
                + (limits.cpuLimited() ? " (container quota)" : " (no container quota)")
                + " -> " + activeProcessorCountFlag()
                + limits.cpuShares().map(s -> "; " + (limits.cgroupVersion() == 2 ? "cpu.weight " : "cpu.shares ") + s
                        + " (relative weight, not a limit)").orElse(""));
        out.add("agent overhead: " + agentOverheadMb + " MiB");
        for (ServiceSize s : services) {
            out.add(s.id() + ": share " + s.shareMb() + " MiB, heap " + s.heapMb() + " MiB (" + s.how() + ") -> "
                    + String.join(" ", s.jvmFlags()));
        }
        return out;
    }

    /**
     * {@code 1.50} for 1.5: by hand, because {@code String.format} of a float loads the JDK's locale
     * providers into PID 1 for this one figure.
     */
    static String twoDecimals(double value) {
        long hundredths = Math.round(Math.abs(value) * 100);
        long fraction = hundredths % 100;
        return (value < 0 && hundredths != 0 ? "-" : "") + hundredths / 100 + (fraction < 10 ? ".0" : ".") + fraction;
    }
}
