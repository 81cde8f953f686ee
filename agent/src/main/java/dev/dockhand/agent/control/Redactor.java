package dev.dockhand.agent.control;

import dev.dockhand.agent.protocol.AgentSnapshot.DependencySnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot.ProbeSnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot.ServiceSnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks the values of secret-looking keys in free text. A key is secret when its name contains
 * {@code password}, {@code secret}, {@code jaas}, {@code key}, {@code token} or {@code credential}
 * (any case); the match is deliberately broad (it also masks {@code ssl.keystore.location}): showing
 * one path too few costs little, leaking one password costs a lot.
 *
 * <p>Free text is what the snapshot carries from elsewhere: a state's reason, a probe's detail, a
 * dependency's detail. Any of them may quote a command line or a config line, so every snapshot
 * leaving the agent goes through {@link #redact(AgentSnapshot)}, and every log line the control plane
 * writes about a request goes through {@link #redact(String)}.
 */
public final class Redactor {

    /** What a masked value is replaced with. */
    public static final String MASK = "****";

    private static final String WORDS = "password|passwd|secret|jaas|key|token|credential";
    private static final String KEY = "[A-Za-z0-9_.\\-]*(?:" + WORDS + ")[A-Za-z0-9_.\\-]*";

    /**
     * {@code key=value}, {@code key: value}, {@code "key":"value"}, {@code -Dkey=value}. A quoted
     * value ends at its closing quote; a JAAS value runs to the end of the line (it holds spaces and
     * its own {@code password="..."}); any other value ends at whitespace, a comma or a semicolon.
     */
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "(?i)(\"?)(" + KEY + ")(\"?\\s*[=:]\\s*)(\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'|[^\\s,;\"'}]+)");

    /** {@code --password VALUE}, {@code -token VALUE}: a flag naming a secret followed by its value. */
    private static final Pattern FLAG = Pattern.compile("(?i)(?<![\\w.\\-])(--?" + KEY + ")(\\s+)([^\\s-]\\S*)");

    /** The rest of the line after a JAAS key's separator. */
    private static final Pattern JAAS =
            Pattern.compile("(?i)(\"?[A-Za-z0-9_.\\-]*jaas[A-Za-z0-9_.\\-]*\"?\\s*[=:]\\s*)([^\\r\\n]*)");

    private Redactor() {}

    /** Whether a key's name looks secret. */
    public static boolean isSecretKey(String key) {
        if (key == null) {
            return false;
        }
        String k = key.toLowerCase(Locale.ROOT);
        for (String w : WORDS.split("\\|")) {
            if (k.contains(w)) {
                return true;
            }
        }
        return false;
    }

    /** The value to show for {@code key}: {@link #MASK} when the key looks secret, else the value. */
    public static String value(String key, String value) {
        return isSecretKey(key) ? MASK : value;
    }

    /** {@code text} with the value of every secret-looking key masked; null stays null. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        Matcher jaas = JAAS.matcher(out);
        out = jaas.replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
        Matcher a = ASSIGNMENT.matcher(out);
        out = a.replaceAll(m -> {
            String v = m.group(4);
            if (v.equals(MASK) || v.equals("\"" + MASK + "\"")) {
                return Matcher.quoteReplacement(m.group());
            }
            String masked = v.startsWith("\"") ? "\"" + MASK + "\"" : v.startsWith("'") ? "'" + MASK + "'" : MASK;
            return Matcher.quoteReplacement(m.group(1) + m.group(2) + m.group(3) + masked);
        });
        Matcher f = FLAG.matcher(out);
        out = f.replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + MASK));
        return out;
    }

    /** A copy of the snapshot with every free-text field redacted. */
    public static AgentSnapshot redact(AgentSnapshot s) {
        if (s == null) {
            return null;
        }
        List<ServiceSnapshot> services = new ArrayList<>();
        for (ServiceSnapshot svc : nullToEmpty(s.services())) {
            ProbeSnapshot p = svc.lastProbe();
            ProbeSnapshot probe = p == null ? null : new ProbeSnapshot(p.ok(), redact(p.detail()), p.latencyMs(), p.atMs());
            AgentSnapshot.StopGateSnapshot g = svc.stopGate();
            AgentSnapshot.StopGateSnapshot gate = g == null ? null
                    : new AgentSnapshot.StopGateSnapshot(g.waiting(), g.waitedMs(), g.maxWaitMs(), redact(g.detail()), g.waits(), g.unsafe());
            services.add(new ServiceSnapshot(
                    svc.id(), svc.state(), redact(svc.reason()), svc.pid(), svc.uptimeMs(), svc.restarts(), svc.ports(), probe, gate));
        }
        List<DependencySnapshot> deps = new ArrayList<>();
        for (DependencySnapshot d : nullToEmpty(s.dependencies())) {
            deps.add(new DependencySnapshot(d.service(), d.nodes(), d.ready(), redact(d.detail())));
        }
        List<String> files = new ArrayList<>();
        for (String f : nullToEmpty(s.renderedFiles())) {
            files.add(redact(f));
        }
        return new AgentSnapshot(
                s.role(), s.nodeId(), s.fqdn(), s.clusterName(), s.clusterConfig(), s.agentPid(), s.startedAtMs(),
                s.uptimeMs(), s.rssBytes(), s.state(), s.ready(), services, deps, files, s.security(), s.certificates(),
                s.quorum(), s.migrationPhase(), s.illegalTransitions()); // the quorum: ids and offsets, nothing secret
    }

    private static <T> List<T> nullToEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }
}
