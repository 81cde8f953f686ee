package dev.dockhand.agent.metadata;

import dev.dockhand.agent.core.InputFiles;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.core.JsonTree;
import dev.dockhand.agent.core.Names;
import dev.dockhand.agent.core.Problems;
import dev.dockhand.agent.json.JsonValue;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves the metadata contract (docs/configuration.md): flags &gt; env &gt; metadata file &gt; derived. Every problem
 * found is reported at once, each naming its source (flag, env var, or file:line path).
 */
public final class MetadataResolver {
    public static final String ENV_ROLE = "AGENT_ROLE";
    public static final String ENV_CLUSTER_CONFIG = "AGENT_CLUSTER_CONFIG";
    public static final String ENV_FQDN = "AGENT_FQDN";
    public static final String ENV_NODES = "AGENT_NODES";
    public static final String ENV_CLUSTER_NAME = "AGENT_CLUSTER_NAME";
    public static final String ENV_METADATA_FILE = "AGENT_METADATA_FILE";

    private static final Pattern ORDINAL = Pattern.compile(".*-([0-9]+)");

    private final FileSystem fs;
    private final HostInfo host;

    public MetadataResolver(FileSystem fs, HostInfo host) {
        this.fs = fs;
        this.host = host;
    }

    public NodeIdentity resolve(MetadataInputs flags, Map<String, String> env) {
        Problems problems = new Problems();

        // the metadata file, if any
        Sourced<String> fileName = pick(flags.metadataFile(), "--metadata", env, ENV_METADATA_FILE);
        FileMetadata file = fileName == null ? FileMetadata.NONE : readFile(fileName, problems);

        Sourced<String> self = pick(flags.fqdn(), "--fqdn", env, ENV_FQDN);
        if (self == null && file.self() != null) {
            self = file.self();
        }
        OptionalInt ordinal = OptionalInt.empty();
        var hostname = host.hostname();
        if (hostname.isPresent()) {
            Matcher m = ORDINAL.matcher(hostname.get().split("\\.")[0]);
            if (m.matches() && m.group(1).length() < 7) {
                ordinal = OptionalInt.of(Integer.parseInt(m.group(1)));
            }
        }
        if (self == null) {
            var fqdn = host.resolverFqdn().or(() -> hostname);
            if (fqdn.isPresent()) {
                self = new Sourced<>(fqdn.get(), Source.derived("resolver FQDN of hostname " + hostname.orElse("?")));
            } else {
                problems.add("cannot tell this node's FQDN: set " + ENV_FQDN + " or --fqdn, or fix the hostname");
                self = new Sourced<>("", Source.derived("nothing"));
            }
        } else {
            checkFqdn(self.value(), self.source().toString(), problems);
        }

        Sourced<List<Node>> nodes;
        Sourced<String> nodesText = pick(flags.nodes(), "--nodes", env, ENV_NODES);
        if (nodesText != null) {
            nodes = new Sourced<>(parseNodes(nodesText, problems), nodesText.source());
        } else if (file.nodes() != null) {
            nodes = file.nodes();
        } else {
            nodes = null; // derived below from self + role: a one-node cluster
        }

        Sourced<String> role = pick(flags.role(), "--role", env, ENV_ROLE);
        if (role != null && !checkId(role.value(), role.source() + ": role", problems)) {
            role = new Sourced<>("", role.source()); // reported; checked no further
        }
        String selfValue = self.value();
        Node listed = nodes == null ? null
                : nodes.value().stream().filter(n -> n.fqdn().equalsIgnoreCase(selfValue)).findFirst().orElse(null);
        if (role == null && listed != null) {
            role = new Sourced<>(listed.role(), Source.derived("role of " + selfValue + " in the node list (" + nodes.source() + ")"));
        }
        if (role == null) {
            problems.add("no role given: set " + ENV_ROLE + " (or --role), or give a metadata file whose nodes list this node ("
                    + selfValue + ")");
            role = new Sourced<>("", Source.byDefault("none"));
        }
        if (nodes == null) {
            nodes = new Sourced<>(List.of(new Node(selfValue, role.value())),
                    Source.derived("no node list given: a one-node cluster of this node"));
        } else if (listed == null && !selfValue.isEmpty()) {
            problems.add("this node " + selfValue + " (" + self.source() + ") is not in the node list (" + nodes.source()
                    + "); list it there or set " + ENV_FQDN + " to the name it has in the list");
        } else if (listed != null && !role.value().isEmpty() && !listed.role().equals(role.value())) {
            problems.add("role '" + role.value() + "' (" + role.source() + ") disagrees with the node list, which gives "
                    + selfValue + " role '" + listed.role() + "' (" + nodes.source() + ")");
        }
        checkIds(nodes, problems);
        Set<String> seen = new HashSet<>();
        for (Node n : nodes.value()) {
            if (!seen.add(n.fqdn().toLowerCase(Locale.ROOT))) {
                problems.add(nodes.source() + ": node " + n.fqdn() + " is listed twice; every node needs its own FQDN");
            }
        }

        Sourced<String> config = pick(flags.clusterConfig(), "--cluster-config", env, ENV_CLUSTER_CONFIG);
        if (config == null) {
            config = file.config() != null ? file.config() : new Sourced<>("default", Source.byDefault("cluster config"));
        }
        checkId(config.value(), config.source() + ": cluster config", problems);
        Sourced<String> name = pick(flags.clusterName(), "--cluster-name", env, ENV_CLUSTER_NAME);
        if (name == null) {
            name = file.name() != null ? file.name() : new Sourced<>("dockhand", Source.byDefault("cluster name"));
        }
        String nameProblem = Names.clusterNameProblem(name.value());
        if (nameProblem != null) {
            problems.add(name.source() + ": cluster name '" + Names.printable(name.value()) + "' " + nameProblem);
        }
        Placement placement = placement(env, file, problems);
        problems.throwIfAny();
        return new NodeIdentity(role, config, name, self, nodes, ordinal, placement);
    }

    private static boolean checkFqdn(String fqdn, String where, Problems problems) {
        String why = Names.fqdnProblem(fqdn);
        if (why != null) {
            problems.add(where + ": '" + Names.printable(fqdn) + "' is not a valid host name: it " + why);
            return false;
        }
        return true;
    }

    private static boolean checkId(String id, String where, Problems problems) {
        String why = Names.idProblem(id);
        if (why != null) {
            problems.add(where + " '" + Names.printable(id) + "' " + why);
            return false;
        }
        return true;
    }

    /** Flag if given, else the env var if set and not empty, else null. */
    private static Sourced<String> pick(String flag, String flagName, Map<String, String> env, String var) {
        if (flag != null && !flag.isBlank()) {
            return new Sourced<>(flag.strip(), Source.flag(flagName));
        }
        String v = env.get(var);
        if (v != null && !v.isBlank()) {
            return new Sourced<>(v.strip(), Source.env(var));
        }
        return null;
    }

    /**
     * Parses a node list as {@code AGENT_NODES} writes it, {@code role=fqdn,fqdn;role=fqdn}, in the
     * order written; every problem at once as an {@link InvalidInputException} naming {@code source}.
     */
    public static List<Node> parseNodeList(String text, Source source) {
        Problems problems = new Problems();
        List<Node> nodes = parseNodes(new Sourced<>(text, source), problems);
        problems.throwIfAny();
        return nodes;
    }

    /** {@code role=fqdn,fqdn;role=fqdn} in the order written; a node may carry its id: {@code role=4@fqdn}. */

    private static List<Node> parseNodes(Sourced<String> text, Problems problems) {
        List<Node> out = new ArrayList<>();
        for (String group : text.value().split(";")) {
            if (group.isBlank()) {
                continue;
            }
            int eq = group.indexOf('=');
            if (eq <= 0) {
                problems.add(text.source() + ": '" + Names.printable(group.strip()) + "' is not role=fqdn[,fqdn...] (example: "
                        + "zookeeper=zk-0.example,zk-1.example;broker=broker-0.example)");
                continue;
            }
            String role = group.substring(0, eq).strip();
            if (!checkId(role, text.source() + ": role", problems)) {
                continue;
            }
            for (String f : group.substring(eq + 1).split(",")) {
                String fqdn = f.strip();
                if (fqdn.isEmpty()) {
                    continue;
                }
                int id = Node.POSITIONAL;
                int at = fqdn.indexOf('@');
                if (at >= 0) {
                    id = parseId(fqdn.substring(0, at).strip(), text.source() + ": node '" + Names.printable(fqdn) + "'", problems);
                    fqdn = fqdn.substring(at + 1).strip();
                }
                if (checkFqdn(fqdn, text.source().toString(), problems)) {
                    out.add(new Node(fqdn, role, id));
                }
            }
        }
        if (out.isEmpty()) {
            problems.add(text.source() + ": the node list is empty");
        }
        return out;
    }

    /** A node id as the node list writes it: a positive int; {@link Node#POSITIONAL} (reported) when it is not one. */
    private static int parseId(String text, String where, Problems problems) {
        try {
            int id = Integer.parseInt(text);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(where + ": the id '" + Names.printable(text) + "' is not a positive whole number (write id@fqdn, e.g. 4@broker-1.example)");
        return Node.POSITIONAL;
    }

    /**
     * Explicit ids are all or nothing, and unique: a node without one would take its position, which
     * could be another node's explicit id, and which moves when a node before it leaves the list.
     */
    private static void checkIds(Sourced<List<Node>> nodes, Problems problems) {
        long explicit = nodes.value().stream().filter(Node::explicitId).count();
        if (explicit == 0) {
            return;
        }
        if (explicit < nodes.value().size()) {
            problems.add(nodes.source() + ": " + explicit + " of " + nodes.value().size() + " nodes have an explicit id, the others "
                    + "none (" + String.join(", ", nodes.value().stream().filter(n -> !n.explicitId()).map(Node::fqdn).toList())
                    + "); give every node its id (id@fqdn), or none: ids are then positions in the list");
            return;
        }
        Map<Integer, String> seen = new java.util.HashMap<>();
        for (Node n : nodes.value()) {
            String other = seen.putIfAbsent(n.id(), n.fqdn());
            if (other != null) {
                problems.add(nodes.source() + ": nodes " + other + " and " + n.fqdn() + " both have id " + n.id()
                        + "; every node needs its own id");
            }
        }
    }

    private record FileMetadata(Sourced<String> self, Sourced<List<Node>> nodes, Sourced<String> config, Sourced<String> name,
            Placement placement) {
        static final FileMetadata NONE = new FileMetadata(null, null, null, null, Placement.NONE);
    }

    /** The rack and the outside address: env, else the metadata file; the rack checked here. */
    private static Placement placement(Map<String, String> env, FileMetadata file, Problems problems) {
        // as given, not stripped: a line break anywhere in it is refused, not trimmed away
        String rackEnv = env.get(Placement.ENV_RACK);
        Sourced<String> rack = rackEnv == null || rackEnv.isEmpty() ? null : new Sourced<>(rackEnv, Source.env(Placement.ENV_RACK));
        if (rack == null) {
            rack = file.placement().rack();
        }
        if (rack != null) {
            String why = Placement.rackProblem(rack.value());
            if (why != null) {
                problems.add(rack.source() + ": '" + Names.printable(rack.value()) + "' " + why);
                rack = null;
            }
        }
        Sourced<String> host = pick(null, null, env, Placement.ENV_EXTERNAL_HOST);
        Sourced<String> port = pick(null, null, env, Placement.ENV_EXTERNAL_PORT);
        return new Placement(rack, host != null ? host : file.placement().externalHost(),
                port != null ? port : file.placement().externalPort());
    }

    private FileMetadata readFile(Sourced<String> fileName, Problems problems) {
        Path path = fs.getPath(fileName.value());
        String text;
        try {
            text = InputFiles.read(path, InputFiles.METADATA_LIMIT);
        } catch (InputFiles.Refused e) {
            problems.add("metadata file " + path + " (" + fileName.source() + ") " + e.getMessage());
            return FileMetadata.NONE;
        }
        JsonTree tree;
        try {
            tree = JsonTree.parse("metadata file " + path, text);
        } catch (InvalidInputException e) {
            problems.addAll(e.problems());
            return FileMetadata.NONE;
        }
        JsonValue root = tree.root();
        Sourced<String> self = null;
        JsonValue selfValue = root.path("self");
        if (!selfValue.isMissingNode() && !selfValue.isNull()) {
            if (selfValue.isTextual() && !selfValue.asText().isBlank()) {
                self = new Sourced<>(selfValue.asText().strip(), Source.file(tree.where("self")));
            } else {
                problems.add(tree.where("self") + ": must be this node's FQDN as text");
            }
        }
        Sourced<String> config = null;
        Sourced<String> name = null;
        JsonValue cluster = root.path("cluster");
        if (!cluster.isMissingNode() && !cluster.isNull()) {
            if (!cluster.isObject()) {
                problems.add(tree.where("cluster") + ": must be an object like {\"name\": \"kafka1\", \"config\": \"production\"}");
            } else {
                config = text(cluster, "config", tree, "cluster.config", problems);
                name = text(cluster, "name", tree, "cluster.name", problems);
            }
        }
        Sourced<List<Node>> nodes = null;
        JsonValue ns = root.path("nodes");
        if (!ns.isMissingNode()) {
            if (!ns.isArray() || ns.isEmpty()) {
                problems.add(tree.where("nodes") + ": must be a non-empty list of {\"fqdn\": ..., \"role\": ...}");
            } else {
                List<Node> list = new ArrayList<>();
                for (int i = 0; i < ns.size(); i++) {
                    JsonValue n = ns.get(i);
                    String at = "nodes[" + i + "]";
                    if (!n.isObject() || !n.path("fqdn").isTextual() || !n.path("role").isTextual()
                            || n.path("fqdn").asText().isBlank() || n.path("role").asText().isBlank()) {
                        problems.add(tree.where(at) + ": every node needs \"fqdn\" and \"role\" as text");
                        continue;
                    }
                    String fqdn = n.path("fqdn").asText().strip();
                    String role = n.path("role").asText().strip();
                    int id = Node.POSITIONAL;
                    JsonValue idValue = n.path("id");
                    if (!idValue.isMissingNode() && !idValue.isNull()) {
                        id = parseId(idValue.asText().strip(), tree.where(at + ".id"), problems);
                    }
                    if (checkFqdn(fqdn, tree.where(at + ".fqdn"), problems) & checkId(role, tree.where(at + ".role") + ": role", problems)) {
                        list.add(new Node(fqdn, role, id));
                    }
                }
                nodes = new Sourced<>(list, Source.file(tree.where("nodes")));
            }
        }
        Sourced<String> rack = text(root, "rack", tree, "rack", problems);
        Sourced<String> externalHost = null;
        Sourced<String> externalPort = null;
        JsonValue external = root.path("external");
        if (!external.isMissingNode() && !external.isNull()) {
            if (!external.isObject()) {
                problems.add(tree.where("external") + ": must be an object like {\"host\": \"kafka.example.com\", \"port\": \"19092+id\"}");
            } else {
                externalHost = text(external, "host", tree, "external.host", problems);
                JsonValue p = external.path("port");
                externalPort = p.isNumber() ? new Sourced<>(p.asText(), Source.file(tree.where("external.port")))
                        : text(external, "port", tree, "external.port", problems);
            }
        }
        return new FileMetadata(self, nodes, config, name, new Placement(rack, externalHost, externalPort));
    }

    private static Sourced<String> text(JsonValue parent, String field, JsonTree tree, String path, Problems problems) {
        JsonValue v = parent.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            problems.add(tree.where(path) + ": must be non-empty text");
            return null;
        }
        return new Sourced<>(v.asText().strip(), Source.file(tree.where(path)));
    }
}
