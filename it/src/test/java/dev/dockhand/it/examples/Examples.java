package dev.dockhand.it.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reading the files of {@code examples/} and {@code templates/catalog.json}: shared by the manifest
 * test and the Docker tests, which start the compose examples themselves.
 */
public final class Examples {
    private Examples() {}

    /** The repository root: {@code -Ddockhand.repo.root} (set by it/pom.xml), else the parent of the working dir. */
    public static Path repoRoot() {
        String p = System.getProperty("dockhand.repo.root");
        Path root = (p != null && !p.isBlank() ? Path.of(p) : Path.of("").toAbsolutePath().getParent()).normalize();
        if (!Files.isDirectory(root.resolve("examples"))) {
            throw new IllegalStateException("no examples/ under " + root + ": set -Ddockhand.repo.root to the repository root");
        }
        return root;
    }

    /** Every YAML document of a file (multi-document files included), empty documents left out. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> yamlDocuments(Path file) throws IOException {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file)) {
            for (Object o : yaml.loadAll(r)) {
                if (o instanceof Map<?, ?> m) {
                    docs.add((Map<String, Object>) m);
                } else if (o != null) {
                    throw new IllegalStateException(file + ": a document is not a mapping: " + o);
                }
            }
        }
        return docs;
    }

    /** A node of AGENT_NODES: role and FQDN, in the order written. */
    public record NodeEntry(String role, String fqdn) {}

    /** Parses {@code role=fqdn,fqdn;role=fqdn}; throws naming the bad part. */
    public static List<NodeEntry> parseNodes(String nodes) {
        List<NodeEntry> out = new ArrayList<>();
        for (String group : nodes.split(";")) {
            if (group.isBlank()) {
                continue;
            }
            int eq = group.indexOf('=');
            if (eq <= 0 || eq == group.length() - 1) {
                throw new IllegalArgumentException("AGENT_NODES group '" + group + "' is not role=fqdn,fqdn");
            }
            String role = group.substring(0, eq).trim();
            for (String fqdn : group.substring(eq + 1).split(",")) {
                if (fqdn.isBlank()) {
                    throw new IllegalArgumentException("AGENT_NODES group '" + group + "' has an empty FQDN");
                }
                out.add(new NodeEntry(role, fqdn.trim()));
            }
        }
        return out;
    }

    /** {@code templates/catalog.json} if the tree has one: role ids and cluster config assignments. */
    public static Optional<Catalog> catalog() throws IOException {
        Path file = repoRoot().resolve("templates/catalog.json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        Set<String> roles = new LinkedHashSet<>();
        root.path("roles").forEach(r -> roles.add(r.path("id").asText()));
        Map<String, Map<String, List<String>>> configs = new LinkedHashMap<>();
        root.path("clusterConfigs").forEach(c -> {
            Map<String, List<String>> assignments = new LinkedHashMap<>();
            c.path("assignments").fields().forEachRemaining(e -> {
                List<String> services = new ArrayList<>();
                e.getValue().forEach(s -> services.add(s.asText()));
                assignments.put(e.getKey(), services);
            });
            configs.put(c.path("id").asText(), assignments);
        });
        Map<String, Integer> metricsPorts = new LinkedHashMap<>();
        root.path("services").forEach(s -> {
            if (s.path("metricsPort").asInt(0) > 0) {
                metricsPorts.put(s.path("id").asText(), s.path("metricsPort").asInt());
            }
        });
        return Optional.of(new Catalog(roles, configs, metricsPorts));
    }

    /**
     * The parts of the catalog the examples must agree with.
     *
     * @param metricsPorts service id to the port of its own Prometheus metrics, for the services that have one
     */
    public record Catalog(Set<String> roles, Map<String, Map<String, List<String>>> clusterConfigs, Map<String, Integer> metricsPorts) {
        public List<String> servicesOf(String clusterConfig, String role) {
            return clusterConfigs.getOrDefault(clusterConfig, Map.of()).getOrDefault(role, List.of());
        }
    }

    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}");

    /** Compose-style {@code ${VAR}} / {@code ${VAR:-default}} substitution from the given variables. */
    public static String substitute(String s, Map<String, String> vars) {
        Matcher m = VAR.matcher(s);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String v = vars.get(m.group(1));
            if (v == null || v.isEmpty()) {
                v = m.group(2) != null ? m.group(2) : "";
            }
            m.appendReplacement(b, Matcher.quoteReplacement(v));
        }
        m.appendTail(b);
        return b.toString();
    }
}
