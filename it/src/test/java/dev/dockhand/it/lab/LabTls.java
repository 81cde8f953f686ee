package dev.dockhand.it.lab;

import dev.dockhand.agent.security.ClusterCa;
import dev.dockhand.agent.security.NodeTls;
import dev.dockhand.agent.security.Pem;
import dev.dockhand.agent.security.TlsContexts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * The one secret a secured lab cluster is given, as an orchestrator would give it: the cluster's CA
 * (certificate and key) and the users file, in files only their owner reads. The test itself is a
 * client with its own certificate from the same CA (for ZooKeeper, which asks every client for one)
 * and the users' passwords (for Kafka's SASL_SSL listener).
 */
public final class LabTls {
    public static final String APP_USER = "app";
    public static final String APP_PASSWORD = "app-Secret-1";
    public static final String ADMIN_USER = "ops";
    public static final String ADMIN_PASSWORD = "ops-Secret-1";

    private final Path dir;
    private final ClusterCa ca;
    private final NodeTls client;
    private final String lifetime;

    /**
     * @param lifetime AGENT_CERT_LIFETIME of the nodes (e.g. {@code 4m} to see them renewed during a test), null for the default
     */
    public LabTls(Path dir, String lifetime) {
        this.dir = dir;
        this.lifetime = lifetime;
        this.ca = ClusterCa.create("dockhand lab CA", Instant.now(), 30);
        this.client = NodeTls.issue(ca, "it-client", null, List.of("it-client.dockhand.test"), Instant.now(), Duration.ofDays(1));
        try {
            Files.createDirectories(dir);
            secret("ca.crt", Pem.certificate(ca.certificate()));
            secret("ca.key", Pem.privateKey(ca.key()));
            secret("users", APP_USER + ":" + APP_PASSWORD + "\n" + ADMIN_USER + ":" + ADMIN_PASSWORD + ":admin\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void secret(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    }

    /**
     * Replaces (or makes) the secret {@code name} beside the others, whole, by a rename (0600): as a mounted
     * secret or cert-manager's CSI driver updates a file that a running node may read at any moment.
     */
    public Path replace(String name, String text) {
        Path p = dir.resolve(name);
        Path tmp = dir.resolve("." + name.replace('/', '_') + ".tmp");
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(tmp, text);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /**
     * Gives {@code fqdn} a certificate from {@code issuer} as files, as an outside PKI (cert-manager) would:
     * {@code <name>/tls.key} then {@code <name>/tls.crt}; returns the certificate.
     */
    public NodeTls giveCertificate(String name, String fqdn, ClusterCa issuer) {
        NodeTls n = NodeTls.issue(issuer, fqdn, null, List.of(fqdn), Instant.now(), Duration.ofDays(1));
        replace(name + "/tls.key", n.keyPem());
        replace(name + "/tls.crt", n.chainPem());
        return n;
    }

    /** The env of a node whose certificate is given as files ({@link #giveCertificate}): no CA key. */
    public Map<String, String> givenEnv(String name) {
        Map<String, String> env = new LinkedHashMap<>(env());
        env.remove("AGENT_CA_KEY_FILE");
        env.put("AGENT_TLS_CERT_FILE", dir.resolve(name + "/tls.crt").toString());
        env.put("AGENT_TLS_KEY_FILE", dir.resolve(name + "/tls.key").toString());
        return env;
    }

    public Path caCert() {
        return dir.resolve("ca.crt");
    }

    public ClusterCa ca() {
        return ca;
    }

    /** What every node of the cluster is given. */
    public Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AGENT_SECURITY", "tls");
        env.put("AGENT_CA_CERT_FILE", dir.resolve("ca.crt").toString());
        env.put("AGENT_CA_KEY_FILE", dir.resolve("ca.key").toString());
        env.put("AGENT_USERS_FILE", dir.resolve("users").toString());
        if (lifetime != null) {
            env.put("AGENT_CERT_LIFETIME", lifetime);
        }
        return env;
    }

    /** The test's own TLS identity (CN=it-client), trusting the cluster's CA only. */
    public SSLContext clientContext() {
        return TlsContexts.of(client);
    }

    /** Kafka client settings of {@code user} on the clients' listener: SASL_SSL, SCRAM-SHA-512, the CA as trust. */
    public Map<String, String> kafkaClient(String user, String password) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", "SCRAM-SHA-512");
        p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";");
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", caCert().toString());
        return p;
    }

    /** The admin user's Kafka client settings. */
    public Map<String, String> kafkaAdmin() {
        return kafkaClient(ADMIN_USER, ADMIN_PASSWORD);
    }
}
