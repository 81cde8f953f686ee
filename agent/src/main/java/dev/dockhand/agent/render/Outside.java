package dev.dockhand.agent.render;

import dev.dockhand.agent.catalog.Security;
import dev.dockhand.agent.catalog.ServiceSpec;
import dev.dockhand.agent.core.Names;
import dev.dockhand.agent.core.Problems;
import dev.dockhand.agent.metadata.Node;
import dev.dockhand.agent.metadata.Placement;
import dev.dockhand.agent.metadata.Sourced;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a broker shows to the world outside the cluster's network: its rack ({@code broker.rack}, with
 * the replica selector that lets a client with {@code client.rack} fetch from a follower in its own
 * zone), and its outside address, a third listener, {@code EXTERNAL}, declared once for the cluster
 * ({@code AGENT_EXTERNAL_HOST} and {@code AGENT_EXTERNAL_PORT}) and derived per broker from its id and
 * name. EXTERNAL is secured as CLIENT is (TLS and a SCRAM login; the outside name is in the node's
 * certificate: {@link #externalName}), plaintext only on a plaintext node. Added to the rendered
 * properties by code rather than templates, so that a cluster without them renders as before.
 */
public final class Outside {
    /** A broker's outside address. */
    public record Address(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    static final String LISTENER = "EXTERNAL";
    static final String RACK_SELECTOR = "org.apache.kafka.common.replica.RackAwareReplicaSelector";
    private static final Pattern PORT = Pattern.compile("([0-9]{1,5})(\\+id)?");
    private static final Pattern TOKEN = Pattern.compile("\\{[^}]*\\}");

    private Outside() {}

    /**
     * Every broker's outside address, in node order; empty when the cluster declares none. Problems
     * name the input: a port out of range, a name that is not a host name, two brokers with one
     * address, an address on a port this node's services use.
     */
    static Map<Node, Address> addresses(NodeContext ctx, Problems problems) {
        Placement p = ctx.identity().placement();
        Map<Node, Address> out = new LinkedHashMap<>();
        if (p.externalHost() == null && p.externalPort() == null) {
            return out;
        }
        if (p.externalHost() == null) {
            problems.add(p.externalPort().source() + ": an outside port needs its host: set " + Placement.ENV_EXTERNAL_HOST
                    + " (a name or an IP the clients outside reach, with {id} or {host} for a name per broker)");
            return out;
        }
        Sourced<String> portSpec = p.externalPort() != null ? p.externalPort()
                : new Sourced<>("19092+id", dev.dockhand.agent.metadata.Source.byDefault("outside port"));
        Matcher m = PORT.matcher(portSpec.value().strip());
        if (!m.matches()) {
            problems.add(portSpec.source() + ": '" + Names.printable(portSpec.value()) + "' is not an outside port: write N (every broker "
                    + "on port N, a host each) or N+id (port N plus the broker's node id)");
            return out;
        }
        int base = Integer.parseInt(m.group(1));
        boolean perId = m.group(2) != null;
        String pattern = p.externalHost().value();
        Matcher t = TOKEN.matcher(pattern);
        while (t.find()) {
            if (!t.group().equals("{id}") && !t.group().equals("{host}")) {
                problems.add(p.externalHost().source() + ": '" + Names.printable(t.group()) + "' is not a token of an outside host: "
                        + "{id} (the node's id) and {host} (the first label of its FQDN)");
                return out;
            }
        }
        Map<String, Node> seen = new LinkedHashMap<>();
        for (Node n : ctx.nodesRunningAny(ServiceIds.BROKERS)) {
            int id = ctx.idOf(n);
            String host = pattern.replace("{id}", String.valueOf(id)).replace("{host}", n.fqdn().split("\\.")[0]);
            String why = Names.fqdnProblem(host);
            if (why == null && host.matches("[0-9.]+") && !isIpv4(host)) {
                why = "is neither a host name nor an IPv4 address";
            }
            if (why != null) {
                problems.add(p.externalHost().source() + ": the outside host of " + n.fqdn() + ", '" + Names.printable(host) + "', " + why);
                return Map.of();
            }
            long port = perId ? (long) base + id : base;
            if (port < 1 || port > 65535) {
                problems.add(portSpec.source() + ": the outside port of " + n.fqdn() + " (node id " + id + ") would be " + port
                        + ", outside 1..65535");
                return Map.of();
            }
            Address a = new Address(host.toLowerCase(Locale.ROOT), (int) port);
            Node other = seen.putIfAbsent(a.toString(), n);
            if (other != null) {
                problems.add(p.externalHost().source() + " and " + portSpec.source() + ": " + other.fqdn() + " and " + n.fqdn()
                        + " would both be reached at " + a + " from outside; give each broker its own host ({id} or {host} "
                        + "in the host) or its own port (N+id)");
                return Map.of();
            }
            out.put(n, a);
        }
        Address self = ctx.identity().selfNode().map(out::get).orElse(null);
        if (self != null) {
            for (ServiceSpec s : ctx.services()) {
                for (int used : new int[] {s.port(), s.internalPort(), s.metricsPort()}) {
                    if (used == self.port()) {
                        problems.add(portSpec.source() + ": the outside port " + self.port() + " of " + ctx.identity().self().value()
                                + " is the port of its service " + s.id() + "; pick another base");
                        return Map.of();
                    }
                }
            }
        }
        return out;
    }

    private static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** This node's outside host name, for its certificate; empty when it has none (or the input is bad). */
    public static Optional<String> externalName(NodeContext ctx) {
        Map<Node, Address> all = addresses(ctx, new Problems());
        return ctx.identity().selfNode().map(all::get).map(Address::host);
    }

    /**
     * {@code text}, a broker's server.properties, with the rack and the EXTERNAL listener of
     * {@code self} (null for none) set; each setting added to {@code explain}.
     */
    static String apply(String text, NodeContext ctx, Address self, Map<String, String> explain) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        Sourced<String> rack = ctx.identity().placement().rack();
        if (rack != null) {
            set(lines, "broker.rack", rack.value(), explain);
            set(lines, "replica.selector.class", RACK_SELECTOR, explain);
        }
        if (self != null) {
            boolean tls = ctx.security() == Security.TLS;
            set(lines, "listeners", value(lines, "listeners") + "," + LISTENER + "://0.0.0.0:" + self.port(), explain);
            set(lines, "advertised.listeners", value(lines, "advertised.listeners") + "," + LISTENER + "://" + self, explain);
            String map = value(lines, "listener.security.protocol.map");
            set(lines, "listener.security.protocol.map", (map.isEmpty() ? "PLAINTEXT:PLAINTEXT" : map) + "," + LISTENER + ":"
                    + (tls ? "SASL_SSL" : "PLAINTEXT"), explain);
            if (tls) {
                String login = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
                set(lines, "listener.name.external.scram-sha-512.sasl.jaas.config", login, explain);
                set(lines, "listener.name.external.scram-sha-256.sasl.jaas.config", login, explain);
                // a login on the outside listener lasts no longer than on CLIENT: a changed password or a removed user
                // ends an outside client's open session within the same bound (Kafka's default is never)
                String reauth = value(lines, "listener.name.client.connections.max.reauth.ms");
                if (!reauth.isEmpty()) {
                    set(lines, "listener.name.external.connections.max.reauth.ms", reauth, explain);
                }
            }
        }
        return String.join("\n", lines) + "\n";
    }

    /** The renewal command with the EXTERNAL listener's key store reloaded too. */
    static List<String> renewal(List<String> argv) {
        List<String> out = new ArrayList<>(argv);
        for (int i = 0; i < out.size(); i++) {
            Matcher m = Pattern.compile("listener\\.name\\.client\\.ssl\\.keystore\\.location=([^,]*)").matcher(out.get(i));
            if (m.find()) {
                out.set(i, out.get(i) + ",listener.name.external.ssl.keystore.location=" + m.group(1));
            }
        }
        return out;
    }

    private static String value(List<String> lines, String key) {
        for (String l : lines) {
            if (key.equals(Overrides.keyOfLine(l))) {
                return l.substring(l.indexOf('=') + 1).strip();
            }
        }
        return "";
    }

    private static void set(List<String> lines, String key, String value, Map<String, String> explain) {
        String line = PropertiesText.key(key) + "=" + PropertiesText.value(value);
        explain.put(key, value);
        for (int i = 0; i < lines.size(); i++) {
            if (key.equals(Overrides.keyOfLine(lines.get(i)))) {
                lines.set(i, line);
                return;
            }
        }
        lines.add(line);
    }
}
