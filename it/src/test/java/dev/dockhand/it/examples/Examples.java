package dev.dockhand.it.examples;

import dev.dockhand.agent.catalog.Catalog;
import dev.dockhand.agent.catalog.CatalogReader;
import dev.dockhand.agent.catalog.Security;
import dev.dockhand.agent.metadata.MetadataResolver;
import dev.dockhand.agent.metadata.Source;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    /** Parses {@code role=fqdn,fqdn;role=fqdn} with the agent's own parser; throws naming the bad part. */
    public static List<NodeEntry> parseNodes(String nodes) {
        return MetadataResolver.parseNodeList(nodes, Source.env("AGENT_NODES")).stream()
                .map(n -> new NodeEntry(n.role(), n.fqdn())).toList();
    }

    /** {@code templates/catalog.json}, read and validated by the agent's own reader (it must exist). */
    public static Catalog catalog() {
        return CatalogReader.read(repoRoot().resolve("templates/catalog.json"));
    }

    /** The services a role runs under a cluster config of the catalog; empty when it names neither. */
    public static List<String> servicesOf(Catalog catalog, String clusterConfig, String role) {
        return catalog.clusterConfig(clusterConfig).map(c -> c.servicesOf(role)).orElse(List.of());
    }

    /**
     * The services a node of {@code role} runs: those of {@link #servicesOf(Catalog, String, String)} that run
     * under the node's security ({@code AGENT_SECURITY}, else the cluster config's own), as the agent plans them.
     */
    public static List<String> servicesRunning(Catalog catalog, String clusterConfig, String role, String agentSecurity) {
        Security security = agentSecurity != null && !agentSecurity.isBlank() ? Security.parse(agentSecurity.strip())
                : catalog.clusterConfig(clusterConfig).map(c -> c.security()).orElse(Security.PLAINTEXT);
        return servicesOf(catalog, clusterConfig, role).stream()
                .filter(id -> catalog.service(id).map(sv -> sv.runsUnder(security)).orElse(true)).toList();
    }

    /**
     * The Kafka property a {@code KAFKA_} variable of apache/kafka's or Confluent's image sets, as both images'
     * scripts spell it (docs/configuration.md): after the prefix, lower case, {@code ___} is {@code -}, {@code __}
     * is {@code _}, {@code _} is {@code .}.
     */
    public static String kafkaProperty(String var) {
        String rest = var.substring("KAFKA_".length()).toLowerCase(java.util.Locale.ROOT);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < rest.length(); i++) {
            if (rest.startsWith("___", i)) {
                b.append('-');
                i += 2;
            } else if (rest.startsWith("__", i)) {
                b.append('_');
                i += 1;
            } else {
                b.append(rest.charAt(i) == '_' ? '.' : rest.charAt(i));
            }
        }
        return b.toString();
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
