package dev.dockhand.it.soak;

import dev.dockhand.it.lab.Cmd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** A soak's {@link Soak.Result} as text a person reads, with what the figures were measured on. */
public final class SoakReport {
    private SoakReport() {}

    /** The machine's load averages (1, 5, 15 min) from /proc/loadavg. */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "(unknown)";
        }
    }

    /** {@code git rev-parse --short HEAD} of the repository, with "+ changes" when the work tree differs from it. */
    public static String commit(Path repo) {
        Cmd.Result r = Cmd.run(Duration.ofSeconds(20), "git", "-C", repo.toString(), "rev-parse", "--short", "HEAD");
        if (!r.ok()) {
            return "(not a git work tree)";
        }
        boolean dirty = !Cmd.run(Duration.ofSeconds(20), "git", "-C", repo.toString(), "status", "--porcelain", "--untracked-files=no").out().isBlank();
        return r.out().strip() + (dirty ? " + uncommitted changes" : "");
    }

    /**
     * @param cluster what the cluster was (nodes, config, security), one line
     * @param loadStart load averages when the soak began
     * @param loadEnd   load averages when it ended
     */
    public static String render(Soak.Result r, String commit, String cluster, String loadStart, String loadEnd) {
        StringBuilder sb = new StringBuilder();
        Soak.Plan p = r.plan();
        SoakLoad.Outcome o = r.load();
        double minutes = Duration.between(r.start(), r.end()).toMillis() / 60000.0;
        sb.append("dockhand soak\n");
        sb.append("date:     ").append(r.start()).append(" to ").append(r.end()).append(String.format(" (%.1f min)%n", minutes));
        sb.append("commit:   ").append(commit).append('\n');
        sb.append("machine:  ").append(Runtime.getRuntime().availableProcessors()).append(" cores; load average (1/5/15 min) at start ")
                .append(loadStart).append(", at end ").append(loadEnd).append('\n');
        sb.append("cluster:  ").append(cluster).append('\n');
        sb.append("faults:   ").append(p.fixed().isEmpty()
                ? String.format("random for %d min, seed %d, one at a time, each once every node is READY and every partition in sync, then a pause of %d-%d s",
                        p.duration().toMinutes(), p.seed(), p.pauseMin().toSeconds(), p.pauseMax().toSeconds())
                : "a fixed list of " + p.fixed().size() + ", one at a time, each once every node is READY and every partition in sync")
                .append(String.format("; SIGSTOP lasts %d s; bound on recovery %d s%n", p.stopFor().toSeconds(), p.wholeWithin().toSeconds()));
        sb.append(String.format("traffic:  topic %s (3 partitions, RF 3, min.insync.replicas 2); one producer, acks=all, idempotent, a send every %d ms at most;"
                + " one consumer in group %s, committing after every poll%n", Soak.TOPIC, p.every().toMillis(), SoakLoad.GROUP));

        sb.append("\n## Faults (").append(r.faults().size()).append(")\n\n");
        sb.append("Times are from the fault (a SIGSTOP's stop included) to every node's agent READY, and to every partition\n"
                + "of the soak's topic and of __consumer_offsets fully in sync.\n\n");
        sb.append("| # | at (UTC) | at | fault | to READY | to in sync | the service's states meanwhile | its restarts | notes |\n");
        sb.append("|---:|---|---:|---|---:|---:|---|---:|---|\n");
        for (Soak.Injected f : r.faults()) {
            sb.append(String.format("| %d | %s | %.0f s | %s | %s | %s | %s | %s | %s |%n", f.number(), f.at().toString().substring(11, 19), f.atS(), f.fault(),
                    f.readyS() < 0 ? "**not within bound**" : String.format("%.1f s", f.readyS()),
                    f.inSyncS() < 0 ? "-" : String.format("%.1f s", f.inSyncS()),
                    f.agentSaw().isEmpty() ? "-" : f.agentSaw(), f.fault().service() == null ? "-" : Integer.toString(f.restarts()),
                    f.notes().isEmpty() ? "" : f.notes()));
        }
        Map<Soak.Kind, List<Soak.Injected>> byKind = r.faults().stream().collect(Collectors.groupingBy(f -> f.fault().kind(), TreeMap::new, Collectors.toList()));
        sb.append('\n');
        byKind.forEach((k, list) -> {
            double max = list.stream().mapToDouble(Soak.Injected::readyS).max().orElse(0);
            double mean = list.stream().mapToDouble(Soak.Injected::readyS).average().orElse(0);
            sb.append(String.format("- %s: %d, to READY mean %.1f s, longest %.1f s%n", k.label, list.size(), mean, max));
        });

        sb.append("\n## Records\n\n");
        sb.append(String.format("- sent %d (%.0f a second), acknowledged %d, failed sends %d%n", o.sent(),
                o.sent() / Math.max(1, Duration.between(r.start(), r.end()).toMillis() / 1000.0), o.acked(), o.failedSends()));
        sb.append(String.format("- consumed (distinct) %d, duplicates %d, consumed but never acknowledged %d%n", o.consumedDistinct(), o.duplicates(),
                o.consumedNotAcked()));
        sb.append(String.format("- **lost (acknowledged, never consumed): %d**%s%n", o.lost(), o.lost() > 0 ? " e.g. " + o.lostSample() : ""));
        sb.append(String.format("- longest produce stall (no acknowledgement): %.1f s, ending at %.0f s; longest send-to-ack latency %.1f s%n",
                o.longestStallS(), o.longestStallEndsAtS(), o.maxLatencyS()));
        if (!o.sendErrors().isEmpty()) {
            sb.append("- first send errors: ").append(o.sendErrors()).append('\n');
        }
        if (!o.consumerErrors().isEmpty()) {
            sb.append("- consumers replaced after an error: ").append(o.consumerErrors()).append('\n');
        }

        sb.append("\n## Restarts per service during the soak (as the agents count them, summed over agent restarts)\n\n");
        sb.append("| node/service | restarts |\n|---|---:|\n");
        r.restarts().forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        sb.append("\nagents killed and started again: ").append(r.agentRestarts().isEmpty() ? "none" : r.agentRestarts()).append('\n');

        sb.append("\n## Agents' RSS (VmRSS, MiB)\n\n");
        sb.append("Per start of each node's agent: first, lowest, highest and last sample; slope by least squares over the\n"
                + "samples from 60 s after that start on (the start's own growth left out). Every sample: soak-rss.csv.\n\n");
        sb.append("| node | agent start | samples | first | min | max | last | slope MiB/h |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<String, List<Soak.Rss>> byAgent = new TreeMap<>();
        for (Soak.Rss s : r.rss()) {
            byAgent.computeIfAbsent(s.node() + "#" + s.incarnation(), k -> new ArrayList<>()).add(s);
        }
        byAgent.forEach((k, list) -> {
            double first = list.get(0).kib() / 1024.0;
            double last = list.get(list.size() - 1).kib() / 1024.0;
            double min = list.stream().mapToLong(Soak.Rss::kib).min().orElse(0) / 1024.0;
            double max = list.stream().mapToLong(Soak.Rss::kib).max().orElse(0) / 1024.0;
            String[] nk = k.split("#");
            sb.append(String.format("| %s | %s | %d | %.1f | %.1f | %.1f | %.1f | %s |%n", nk[0], nk[1], list.size(), first, min, max, last, slope(list)));
        });

        sb.append("\n## Verdict\n\n");
        sb.append(o.lost() == 0 ? "- lost: 0\n" : "- LOST: " + o.lost() + "\n");
        sb.append(r.everyFaultRecovered() ? "- every node READY again after every fault\n" : "- NOT every fault was followed by every node READY\n");
        r.problems().forEach(pr -> sb.append("- problem: ").append(pr.replace("\n", "\n    ")).append('\n'));
        return sb.toString();
    }

    /**
     * MiB per hour over the samples from 60 s after the agent's first sample; "n/a" when they span less than 5
     * minutes (a slope over a shorter time says more about the agent's start than about a leak).
     */
    static String slope(List<Soak.Rss> list) {
        double from = list.get(0).atS() + 60;
        List<Soak.Rss> in = list.stream().filter(s -> s.atS() >= from).toList();
        if (in.size() < 3 || in.get(in.size() - 1).atS() - in.get(0).atS() < 300) {
            return "n/a (< 5 min)";
        }
        double mx = in.stream().mapToDouble(Soak.Rss::atS).average().orElse(0);
        double my = in.stream().mapToDouble(s -> s.kib() / 1024.0).average().orElse(0);
        double num = 0;
        double den = 0;
        for (Soak.Rss s : in) {
            num += (s.atS() - mx) * (s.kib() / 1024.0 - my);
            den += (s.atS() - mx) * (s.atS() - mx);
        }
        return den == 0 ? "n/a" : String.format("%+.1f", num / den * 3600);
    }

    /** Every RSS sample: seconds since the soak began, node, agent start, KiB. */
    public static String csv(Soak.Result r) {
        StringBuilder sb = new StringBuilder("seconds,node,agent_start,rss_kib\n");
        r.rss().forEach(s -> sb.append(String.format("%.1f,%s,%d,%d%n", s.atS(), s.node(), s.incarnation(), s.kib())));
        return sb.toString();
    }
}
