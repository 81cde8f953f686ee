package dev.dockhand.agent.cli;

import dev.dockhand.agent.core.Names;
import dev.dockhand.agent.protocol.AgentSnapshot.DependencySnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot.ProbeSnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot.ServiceSnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot;
import dev.dockhand.agent.protocol.ServiceState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The text of {@code agent status}: the node above, one table of services, files and dependencies below. */
final class StatusView {
    private static final String RESET = "\u001b[0m";
    private static final String BOLD = "\u001b[1m";
    private static final String DIM = "\u001b[2m";
    private static final String RED = "\u001b[31m";
    private static final String GREEN = "\u001b[32m";
    private static final String YELLOW = "\u001b[33m";
    private static final int MAX_PROBE = 40;

    private StatusView() {}

    static String render(AgentSnapshot s, boolean colour) {
        StringBuilder b = new StringBuilder(1024);
        b.append(label("node", colour)).append(nz(s.fqdn())).append("  role ").append(nz(s.role()))
                .append("  id ").append(s.nodeId()).append('\n');
        b.append(label("cluster", colour)).append(nz(s.clusterName())).append("  config ").append(nz(s.clusterConfig()));
        if (s.migrationPhase() != null) {
            b.append("  migration phase ").append(nz(String.valueOf(s.migrationPhase())));
        }
        b.append('\n');
        String overall = nz(s.state());
        b.append(label("agent", colour)).append(paint(overall, s.ready() ? GREEN : YELLOW, colour))
                .append("  pid ").append(s.agentPid())
                .append("  up ").append(duration(s.uptimeMs()))
                .append("  rss ").append(bytes(s.rssBytes()));
        if (s.illegalTransitions() > 0) {
            b.append("  ").append(paint("BUG: " + s.illegalTransitions() + " illegal state change(s), see the log", YELLOW, colour));
        }
        b.append('\n');
        b.append('\n');

        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"SERVICE", "STATE", "PID", "UPTIME", "RESTARTS", "LAST PROBE", "LATENCY", "PORTS"});
        List<ServiceSnapshot> services = s.services() == null ? List.of() : s.services();
        for (ServiceSnapshot svc : services) {
            ProbeSnapshot p = svc.lastProbe();
            rows.add(new String[] {
                nz(svc.id()),
                svc.state() == null ? "?" : svc.state().name(),
                svc.pid() > 0 ? Integer.toString(svc.pid()) : "-",
                svc.pid() > 0 ? duration(svc.uptimeMs()) : "-",
                Integer.toString(svc.restarts()),
                p == null ? "-" : (p.ok() ? "ok" : "failed") + (blank(p.detail()) ? "" : ": " + cut(oneLine(p.detail()))),
                p == null ? "-" : p.latencyMs() + " ms",
                svc.ports() == null || svc.ports().isEmpty() ? "-" : join(svc.ports()),
            });
        }
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (int row = 0; row < rows.size(); row++) {
            String[] r = rows.get(row);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                boolean last = i == r.length - 1;
                String cell = last ? r[i] : pad(r[i], width[i]);
                if (row == 0) {
                    cell = paint(cell, BOLD, colour);
                } else if (i == 1) {
                    cell = paint(cell, stateColour(services.get(row - 1).state()), colour);
                } else if (i == 5 && services.get(row - 1).lastProbe() != null && !services.get(row - 1).lastProbe().ok()) {
                    cell = paint(cell, RED, colour);
                }
                line.append(cell);
                if (!last) {
                    line.append("  ");
                }
            }
            b.append(line.toString().stripTrailing()).append('\n');
        }
        if (services.isEmpty()) {
            b.append("(no services)\n");
        }

        List<String> why = new ArrayList<>();
        for (ServiceSnapshot svc : services) {
            if (svc.state() != ServiceState.READY && svc.state() != ServiceState.EXITED && !blank(svc.reason())) {
                why.add("  " + nz(svc.id()) + ": " + oneLine(svc.reason()));
            }
        }
        if (!why.isEmpty()) {
            b.append('\n').append(paint("not ready:", BOLD, colour)).append('\n');
            why.forEach(w -> b.append(w).append('\n'));
        }

        List<String> files = s.renderedFiles() == null ? List.of() : s.renderedFiles();
        b.append('\n').append(paint("rendered files:", BOLD, colour));
        if (files.isEmpty()) {
            b.append(" none\n");
        } else {
            b.append('\n');
            files.forEach(f -> b.append("  ").append(nz(f)).append('\n'));
        }
        if (s.quorum() != null) {
            AgentSnapshot.QuorumSnapshot q = s.quorum();
            b.append(paint("KRaft quorum:", BOLD, colour)).append(" leader ").append(q.leaderId()).append("  epoch ")
                    .append(q.leaderEpoch()).append("  high watermark ").append(q.highWatermark()).append('\n');
            List<String[]> qrows = new ArrayList<>();
            qrows.add(new String[] {"VOTER", "LOG END", "LAG", "LAST FETCH", "CAUGHT UP"});
            for (AgentSnapshot.VoterSnapshot v : q.voters() == null ? List.<AgentSnapshot.VoterSnapshot>of() : q.voters()) {
                qrows.add(new String[] {
                    v.id() + (v.id() == q.leaderId() ? " (leader)" : ""),
                    v.logEndOffset() < 0 ? "-" : Long.toString(v.logEndOffset()),
                    v.lag() < 0 ? "-" : Long.toString(v.lag()),
                    v.lastFetchMsAgo() < 0 ? "-" : v.lastFetchMsAgo() + " ms ago",
                    v.lastCaughtUpMsAgo() < 0 ? "-" : v.lastCaughtUpMsAgo() + " ms ago",
                });
            }
            int[] qw = new int[qrows.get(0).length];
            for (String[] r : qrows) {
                for (int i = 0; i < r.length; i++) {
                    qw[i] = Math.max(qw[i], r[i].length());
                }
            }
            for (int row = 0; row < qrows.size(); row++) {
                StringBuilder line = new StringBuilder("  ");
                for (int i = 0; i < qw.length; i++) {
                    String cell = pad(qrows.get(row)[i], qw[i]);
                    line.append(row == 0 ? paint(cell, BOLD, colour) : cell).append("  ");
                }
                b.append(line.toString().stripTrailing()).append('\n');
            }
        }
        if (s.security() != null) {
            b.append(paint("security:", BOLD, colour)).append(' ');
            if ("tls".equals(s.security())) {
                b.append("TLS on every listener, logins for clients\n");
                long now = System.currentTimeMillis();
                for (var c : s.certificates() == null ? List.<dev.dockhand.agent.protocol.AgentSnapshot.CertificateSnapshot>of() : s.certificates()) {
                    b.append("  ").append(c.isCa() ? "trusted CA" : nz(c.use()) + " certificate").append(' ').append(nz(c.subject()))
                            .append(", expires ").append(java.time.Instant.ofEpochMilli(c.notAfterMs()))
                            .append(" (in ").append(duration(Math.max(0, c.notAfterMs() - now))).append(")");
                    if (c.isCa()) {
                        b.append(", serial ").append(nz(c.serial())).append(": no renewal, rotate it before then (docs/security.md)");
                    } else {
                        b.append(", renewal at ").append(java.time.Instant.ofEpochMilli(c.renewAtMs()));
                    }
                    b.append('\n');
                }
            } else {
                b.append(paint("PLAINTEXT", RED, colour)).append(": listeners unencrypted, no logins\n");
            }
        }
        List<DependencySnapshot> deps = s.dependencies() == null ? List.of() : s.dependencies();
        b.append(paint("remote dependencies:", BOLD, colour));
        if (deps.isEmpty()) {
            b.append(" none\n");
        } else {
            b.append('\n');
            int w = deps.stream().mapToInt(d -> nz(d.service()).length()).max().orElse(0);
            for (DependencySnapshot d : deps) {
                b.append("  ").append(pad(nz(d.service()), w)).append("  ")
                        .append(paint(pad(d.ready() ? "ready" : "not ready", 9), d.ready() ? GREEN : RED, colour))
                        .append("  ").append(d.nodes() == null ? "" : nz(String.join(",", d.nodes())));
                if (!blank(d.detail())) {
                    b.append("  (").append(oneLine(d.detail())).append(')');
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    private static String stateColour(ServiceState st) {
        if (st == null) {
            return RED;
        }
        return switch (st) {
            case READY -> GREEN;
            case PENDING, PREPARING, STARTING, STOPPING -> YELLOW;
            case UNHEALTHY, BACKOFF, FAILED -> RED;
            case STOPPED, EXITED -> DIM;
        };
    }

    /** "45s", "3m12s", "2h05m", "4d03h". */
    static String duration(long ms) {
        long s = Math.max(0, ms) / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
        }
        if (s < 86400) {
            return (s / 3600) + "h" + String.format(Locale.ROOT, "%02d", (s % 3600) / 60) + "m";
        }
        return (s / 86400) + "d" + String.format(Locale.ROOT, "%02d", (s % 86400) / 3600) + "h";
    }

    static String bytes(long n) {
        if (n <= 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024.0));
    }

    private static String label(String l, boolean colour) {
        return paint(pad(l, 9), BOLD, colour);
    }

    private static String paint(String text, String code, boolean colour) {
        return colour ? code + text + RESET : text;
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }

    private static String cut(String s) {
        return s.length() <= MAX_PROBE ? s : s.substring(0, MAX_PROBE - 1) + "…";
    }

    /** A value from the snapshot on one line, control characters escaped: the view's colours are its only escapes. */
    private static String oneLine(String s) {
        return Names.escapeControls(s.replace('\n', ' ').replace('\r', ' ').strip());
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String nz(String s) {
        return s == null ? "-" : Names.escapeControls(s);
    }

    private static String join(List<Integer> ports) {
        StringBuilder b = new StringBuilder();
        for (Integer p : ports) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(p);
        }
        return b.toString();
    }
}
