package dev.dockhand.it.lab;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What every cluster test in namespaces does around its steps, once: refuse to run where namespaces
 * do not work (a failure under CI, never a silent skip), keep the figures its steps measure, and at the
 * end close what the steps opened (a workload, a client), print the figures, then stop the cluster.
 * The figures are printed before the cluster's close, which throws when a process outlived its node,
 * so that a failing teardown still shows what was measured.
 *
 * <pre>
 * &#64;RegisterExtension
 * static final ClusterScenario scenario = new ClusterScenario("RollingIT", () -&gt; cluster)
 *         .closing(() -&gt; workload).closing(() -&gt; kafka);
 * </pre>
 *
 * Suppliers, not values: the steps open (and replace) their clients after the class is set up.
 */
public final class ClusterScenario implements AfterAllCallback {
    private final String name;
    private final Supplier<LabCluster> cluster;
    private final List<Supplier<? extends AutoCloseable>> closeFirst = new ArrayList<>();
    private final Map<String, String> figures = new LinkedHashMap<>();

    public ClusterScenario(String name, Supplier<LabCluster> cluster) {
        this.name = name;
        this.cluster = cluster;
    }

    /** Closes what {@code resource} gives at the end, before the cluster, in the order these are declared. */
    public ClusterScenario closing(Supplier<? extends AutoCloseable> resource) {
        closeFirst.add(resource);
        return this;
    }

    /** Fails (under CI) or skips (elsewhere, saying why) when this machine cannot run a cluster in namespaces. */
    public void needNamespaces(String what) {
        String why = LabCluster.unsupportedReason();
        Need.that(why == null, () -> what + " in network namespaces: " + why);
    }

    /** Records a figure, printed at the end in the order recorded (the last value for a key). */
    public void figure(String key, String value) {
        figures.put(key, value);
    }

    /** Records how long {@code what} took since {@code startNanos}. */
    public void time(String what, long startNanos) {
        figure(what, String.format("%.1f s", Duration.ofNanos(System.nanoTime() - startNanos).toMillis() / 1e3));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        Exception first = null;
        for (Supplier<? extends AutoCloseable> s : closeFirst) {
            first = closeQuietly(s.get(), first);
        }
        System.out.println(name + " figures (" + LocalDate.now(ZoneOffset.UTC) + "):");
        figures.forEach((k, v) -> System.out.println("  " + k + ": " + v));
        first = closeQuietly(cluster.get(), first);
        if (first != null) {
            throw first;
        }
    }

    private static Exception closeQuietly(AutoCloseable c, Exception earlier) {
        if (c == null) {
            return earlier;
        }
        try {
            c.close();
            return earlier;
        } catch (Exception e) {
            if (earlier == null) {
                return e;
            }
            earlier.addSuppressed(e);
            return earlier;
        }
    }
}
