package dev.dockhand.agent.metadata;

/**
 * Where a node stands beyond its name, as the orchestrator gives it (env, else the metadata file):
 * its rack (a zone), and the cluster's outside address pattern, declared once for all brokers. Each
 * value is null when not given; the render layer checks the address against the whole node list.
 *
 * @param rack this node's rack ({@code AGENT_RACK}, {@code "rack"}), checked: {@link #RACK_CHARS}
 * @param externalHost the brokers' outside host name or IP, with {@code {id}} and {@code {host}}
 *     (the node's id, the first label of its FQDN) for a name per broker ({@code AGENT_EXTERNAL_HOST},
 *     {@code "external": {"host": ...}})
 * @param externalPort {@code N} (every broker the same port: a host per broker) or {@code N+id} (a
 *     base port plus the node's id) ({@code AGENT_EXTERNAL_PORT}, {@code "external": {"port": ...}})
 */
public record Placement(Sourced<String> rack, Sourced<String> externalHost, Sourced<String> externalPort) {
    public static final Placement NONE = new Placement(null, null, null);
    public static final String ENV_RACK = "AGENT_RACK";
    public static final String ENV_EXTERNAL_HOST = "AGENT_EXTERNAL_HOST";
    public static final String ENV_EXTERNAL_PORT = "AGENT_EXTERNAL_PORT";
    /** What a rack may hold: a zone's name, nothing a properties file or a log line would read otherwise. */
    public static final String RACK_CHARS = "1 to 64 letters, digits, '.', '_' and '-'";

    /** Why {@code rack} cannot be a rack, or null when it can. */
    public static String rackProblem(String rack) {
        return rack.matches("[A-Za-z0-9._-]{1,64}") ? null : "is not a rack name (" + RACK_CHARS + ")";
    }
}
