package dev.dockhand.agent.plan;

import dev.dockhand.agent.catalog.Durations;
import dev.dockhand.agent.catalog.Security;
import dev.dockhand.agent.core.Names;
import dev.dockhand.agent.core.Problems;
import dev.dockhand.agent.core.UtcDate;
import dev.dockhand.agent.metadata.Node;
import dev.dockhand.agent.metadata.Source;
import dev.dockhand.agent.metadata.Sourced;
import dev.dockhand.agent.render.NodeContext;
import dev.dockhand.agent.render.Outside;
import dev.dockhand.agent.render.RenderPlan;
import dev.dockhand.agent.render.RenderPlan.RenderedFile;
import dev.dockhand.agent.render.ServiceIds;
import dev.dockhand.agent.security.ClusterCa;
import dev.dockhand.agent.security.GivenTls;
import dev.dockhand.agent.security.NodeTls;
import dev.dockhand.agent.security.TrustBundle;
import dev.dockhand.agent.security.Users;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a node is secured, and what it is secured with. The cluster's CAs (a trust bundle) and the
 * users file come in; the node's own certificate either comes in too, as files from a PKI such as
 * cert-manager (the node then holds no CA key), or the node derives it at every start with the CA's key:
 * its own key and certificate, signed for the node's FQDN, short-lived, renewed while it runs.
 */
public final class NodeSecurity {
    /** The env variables a secured node reads. */
    public static final String SECURITY = "AGENT_SECURITY";
    public static final String CA_CERT_FILE = "AGENT_CA_CERT_FILE";
    public static final String CA_KEY_FILE = "AGENT_CA_KEY_FILE";
    public static final String USERS_FILE = "AGENT_USERS_FILE";
    public static final String CERT_LIFETIME = "AGENT_CERT_LIFETIME";
    /** A node certificate given from outside (PEM, a chain allowed) and its key: then no CA key is needed. */
    public static final String TLS_CERT_FILE = "AGENT_TLS_CERT_FILE";
    public static final String TLS_KEY_FILE = "AGENT_TLS_KEY_FILE";

    /** As short-lived as renewal allows by default, as ACME's certificates are (and far below a CA's). */
    public static final Duration DEFAULT_LIFETIME = Duration.ofDays(30);
    /** Renewal at two thirds of the life leaves a third for a renewal that fails to be retried. */
    static final Duration MIN_LIFETIME = NodeTls.MIN_LIFETIME;
    static final Duration MAX_LIFETIME = Duration.ofDays(397);
    /** The subject every broker presents to ZooKeeper: Kafka's znode ACLs name the creator's subject. */
    public static final String BROKERS_ZK_IDENTITY = "kafka-brokers";

    private NodeSecurity() {}

    /**
     * A secured node's inputs, read and checked.
     *
     * @param ca the CA that issues the node's certificates; null when they are given ({@code given})
     * @param trust every CA the node trusts ({@code AGENT_CA_CERT_FILE})
     * @param given the node certificate's files when given from outside, else null
     * @param givenNode the pair those files held when read, else null
     * @param lifetime how long the certificates the node issues live
     */
    public record Inputs(ClusterCa ca, TrustBundle trust, GivenTls given, NodeTls givenNode, Users users, Duration lifetime, Path caCertFile,
            Path usersFile) {}

    /**
     * The node's certificates: {@code node} for everything it serves and for its own clients;
     * {@code zooKeeperClient}, on a broker of a cluster with ZooKeeper (and a KRaft controller in migration mode,
     * which writes the brokers' znodes), the identity all brokers share toward it; null where there is none.
     * {@code trust}: the CAs every party of the node trusts; {@code given}: where {@code node} came from when
     * given as files (the agent watches them), else null.
     */
    public record Certificates(NodeTls node, NodeTls zooKeeperClient, TrustBundle trust, GivenTls given) {
        /** Certificates the node issued, trusting the node certificate's issuer only. */
        public Certificates(NodeTls node, NodeTls zooKeeperClient) {
            this(node, zooKeeperClient, new TrustBundle(List.of(node.ca())), null);
        }

        /** When the first of them should be renewed (a given node certificate: when its issuer should have renewed it). */
        public Instant renewAt() {
            Instant at = node.renewAt();
            return zooKeeperClient != null && zooKeeperClient.renewAt().isBefore(at) ? zooKeeperClient.renewAt() : at;
        }

        /** When the agent itself must issue anew (the ZooKeeper identity of a node with a given certificate), else null. */
        public Instant issueAt() {
            return given == null ? renewAt() : zooKeeperClient == null ? null : zooKeeperClient.renewAt();
        }
    }

    /** The security chosen for the node: {@code AGENT_SECURITY}, else the cluster config's default. */
    static Sourced<Security> choose(Map<String, String> env, Security configDefault, String configId, Problems problems) {
        String v = env.get(SECURITY);
        if (v == null || v.isBlank()) {
            return new Sourced<>(configDefault, Source.derived("default of cluster config " + configId));
        }
        try {
            return new Sourced<>(Security.parse(v.strip()), Source.env(SECURITY));
        } catch (IllegalArgumentException e) {
            problems.add("env " + SECURITY + "='" + Names.printable(v) + "' is not a security: use tls or plaintext");
            return null;
        }
    }

    /**
     * Reads the trust bundle, the node's certificate (given as files, or the CA key to issue it with), the
     * users and the lifetime of a secured node; every problem to {@code problems}.
     *
     * @param fqdn the node's name: a given certificate must hold it
     */
    static Inputs read(Map<String, String> env, FileSystem fs, Instant now, String fqdn, Problems problems) {
        String certName = set(env, CA_CERT_FILE);
        String keyName = set(env, CA_KEY_FILE);
        String usersName = set(env, USERS_FILE);
        String tlsCert = set(env, TLS_CERT_FILE);
        String tlsKey = set(env, TLS_KEY_FILE);
        List<String> missing = new ArrayList<>();
        if (certName == null) {
            missing.add(CA_CERT_FILE);
        }
        if (keyName == null && tlsCert == null && tlsKey == null) {
            missing.add(CA_KEY_FILE + " (or " + TLS_CERT_FILE + " and " + TLS_KEY_FILE + ")");
        }
        if (usersName == null) {
            missing.add(USERS_FILE);
        }
        if (!missing.isEmpty()) {
            problems.add("a secured node needs the cluster's CA and users: set " + String.join(", ", missing)
                    + " (files, e.g. a Kubernetes Secret or a Compose secret; `agent ca init --out DIR` makes a CA). Its own certificate "
                    + "is issued by the node with the CA's key (" + CA_KEY_FILE + "), or given as files (" + TLS_CERT_FILE + " and "
                    + TLS_KEY_FILE + ", e.g. from cert-manager's CSI driver); or set "
                    + SECURITY + "=plaintext to run every listener without TLS and logins");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            problems.add("env " + (tlsCert == null ? TLS_KEY_FILE : TLS_CERT_FILE) + " is set but not "
                    + (tlsCert == null ? TLS_CERT_FILE : TLS_KEY_FILE) + ": a node certificate given as files needs both, the "
                    + "certificate (a chain allowed) and its key");
        }
        Duration lifetime = lifetime(env.get(CERT_LIFETIME), problems);
        List<String> found = new ArrayList<>();
        TrustBundle trust = null;
        ClusterCa ca = null;
        if (certName != null) {
            Path certFile = fs.getPath(certName);
            trust = TrustBundle.read(certFile, "env " + CA_CERT_FILE, now, found);
            if (keyName != null) {
                ca = ClusterCa.read(trust, "CA certificate " + Names.printable(certName) + " (env " + CA_CERT_FILE + ")",
                        fs.getPath(keyName), "env " + CA_KEY_FILE, now, found);
            }
        }
        GivenTls given = null;
        NodeTls givenNode = null;
        if (tlsCert != null && tlsKey != null) {
            given = new GivenTls(fs.getPath(tlsCert), "env " + TLS_CERT_FILE, fs.getPath(tlsKey), "env " + TLS_KEY_FILE);
            givenNode = given.read(trust, List.of(fqdn), now, found);
        }
        Users users = null;
        if (usersName != null) {
            users = Users.read(fs.getPath(usersName), "env " + USERS_FILE, found);
        }
        problems.addAll(found);
        if (trust == null || (keyName != null && ca == null) || (given != null && givenNode == null) || (ca == null && given == null)
                || users == null || lifetime == null) {
            return null;
        }
        return new Inputs(ca, trust, given, givenNode, users, lifetime, fs.getPath(certName), fs.getPath(usersName));
    }

    private static String set(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    private static final Pattern DAYS = Pattern.compile("([0-9]{1,4})d");

    /** {@code 30d}, {@code 12h}, {@code 10m}: between {@link #MIN_LIFETIME} and {@link #MAX_LIFETIME}. */
    static Duration lifetime(String text, Problems problems) {
        if (text == null || text.isBlank()) {
            return DEFAULT_LIFETIME;
        }
        Duration d;
        Matcher m = DAYS.matcher(text.strip());
        try {
            d = m.matches() ? Duration.ofDays(Long.parseLong(m.group(1))) : Durations.parse(text);
        } catch (IllegalArgumentException e) {
            problems.add("env " + CERT_LIFETIME + "='" + Names.printable(text) + "' is not a lifetime: write e.g. 30d, 12h or 10m");
            return null;
        }
        if (d.compareTo(MIN_LIFETIME) < 0 || d.compareTo(MAX_LIFETIME) > 0) {
            problems.add("env " + CERT_LIFETIME + "='" + Names.printable(text) + "' is outside 2m..397d (certificates are renewed at "
                    + "two thirds of their life: a shorter one leaves no time to renew, a longer one outlives the browsers' limit)");
            return null;
        }
        return d;
    }

    /**
     * The node's certificates: {@code current} again when it is still good for this node (same CA, same
     * names, renewal not due), else freshly issued.
     */
    static Certificates certificates(NodeContext ctx, Inputs in, Certificates current, Instant now, boolean renew) {
        List<String> names = names(ctx);
        // a KRaft controller in migration mode writes the brokers' znodes in dual write: it needs their identity (ADR 017)
        boolean migrating = ctx.migration() != null && ctx.migration().value().controllersMigrating();
        boolean zk = !ctx.nodesRunning(ServiceIds.ZOOKEEPER).isEmpty()
                && ctx.services().stream().anyMatch(s -> s.id().equals(ServiceIds.KAFKA_BROKER)
                        || (migrating && s.id().equals(ServiceIds.KRAFT_CONTROLLER)));
        if (zk && in.ca() == null) {
            // Kafka's znode ACLs name the one subject that created them, so every broker presents the same
            // identity to ZooKeeper: one certificate only the CA's key can issue to each of them
            throw new dev.dockhand.agent.core.InvalidInputException("a broker of a cluster with ZooKeeper needs the CA's key ("
                    + CA_KEY_FILE + ") even with its certificate given (" + TLS_CERT_FILE + "): every broker presents one shared identity ("
                    + "CN=" + BROKERS_ZK_IDENTITY + ") to ZooKeeper, which the broker issues itself; give " + CA_KEY_FILE
                    + ", or run the cluster in KRaft mode (docs/kraft.md), whose nodes need no CA key");
        }
        if (in.given() != null) {
            // the node's FQDN was checked where the files were read; a broker's outside name can only be checked here,
            // where the node's identity is known: clients outside the cluster's network verify it
            List<String> held = sans(in.givenNode()).stream().map(n -> n.toLowerCase(java.util.Locale.ROOT)).toList();
            Outside.externalName(ctx).filter(n -> !held.contains(n.toLowerCase(java.util.Locale.ROOT))).ifPresent(n -> {
                throw new dev.dockhand.agent.core.InvalidInputException("node certificate " + Names.printable(in.given().certFile().toString())
                        + " (env " + TLS_CERT_FILE + ") does not name this broker's outside name " + Names.printable(n)
                        + " (AGENT_EXTERNAL_HOST; its SANs: " + String.join(" ", held.stream().map(Names::printable).toList())
                        + "); clients outside the cluster's network check it: issue it with dnsNames (or ipAddresses) including "
                        + Names.printable(n) + ", or declare no outside address");
            });
        }
        if (!renew && current != null && reusable(current, in, names, zk, now)) {
            return current;
        }
        NodeTls node = in.given() != null ? in.givenNode() : NodeTls.issue(in.ca(), names.get(0), null, names, now, in.lifetime());
        NodeTls zkClient = zk ? NodeTls.issue(in.ca(), BROKERS_ZK_IDENTITY, ctx.identity().clusterName().value(),
                List.of(names.get(0)), now, in.lifetime()) : null;
        return new Certificates(node, zkClient, in.trust(), in.given());
    }

    private static boolean reusable(Certificates c, Inputs in, List<String> names, boolean zk, Instant now) {
        boolean sameNode = in.given() != null ? c.node().certificate().equals(in.givenNode().certificate())
                : in.ca() != null && in.ca().certificate().equals(c.node().ca()) && sans(c.node()).equals(names);
        return sameNode
                && c.trust().equals(in.trust())
                && (c.zooKeeperClient() != null) == zk
                && (c.zooKeeperClient() == null || c.zooKeeperClient().ca().equals(in.ca().certificate()))
                && (c.issueAt() == null || now.isBefore(c.issueAt()));
    }

    private static List<String> sans(NodeTls t) {
        try {
            var all = t.certificate().getSubjectAlternativeNames();
            return all == null ? List.of() : all.stream().map(l -> String.valueOf(l.get(1))).toList();
        } catch (java.security.cert.CertificateParsingException e) {
            return List.of();
        }
    }

    /**
     * The node's FQDN; on a one-node cluster, the names a client on the same host uses; on a broker with
     * an outside address, its outside name.
     */
    static List<String> names(NodeContext ctx) {
        List<String> names = new ArrayList<>();
        names.add(ctx.identity().self().value());
        List<Node> nodes = ctx.identity().nodes().value();
        if (nodes.size() <= 1) {
            names.add("localhost");
            names.add("127.0.0.1");
        }
        // a broker's outside name, which clients outside the cluster's network verify
        Outside.externalName(ctx).filter(n -> !names.contains(n)).ifPresent(names::add);
        return names;
    }

    /**
     * The files a secured node's services read, in {@code @@TLS_DIR@@}, all secret (0600, never shown);
     * {@code givesLogins}: the node runs the step that makes the users' logins, which reads their passwords.
     */
    static List<RenderedFile> files(Path tlsDir, Inputs in, Certificates c, boolean givesLogins, NodeFiles disk) {
        List<RenderedFile> out = new ArrayList<>();
        Path hashed = hashedUsers(tlsDir);
        String previousHashed = null;
        try {
            // the node's own earlier rendering: its hashes of unchanged passwords are taken as they are
            previousHashed = disk.isRegularFile(hashed) ? disk.read(hashed, Users.FILE_LIMIT) : null;
        } catch (dev.dockhand.agent.core.InputFiles.Refused e) {
            previousHashed = null; // hashed anew, and rewritten
        }
        out.add(file(tlsDir.resolve("node.key"), c.node().keyPem()));
        out.add(file(tlsDir.resolve("node.crt"), c.node().chainPem()));
        out.add(file(tlsDir.resolve("node.pem"), c.node().keyAndChainPem()));
        out.add(file(tlsDir.resolve("ca.crt"), c.trust().pem()));
        out.add(file(hashed, in.users().hashedFile(saltKey(in), previousHashed)));
        // what the users' logins are made from (kafka-access, on the nodes that run it): the file as checked
        // here, not the live secret, which may change under a running node into something a reload refuses
        if (givesLogins) {
            out.add(file(usersCopy(tlsDir), in.users().usersFile()));
        }
        if (c.zooKeeperClient() != null) {
            out.add(file(tlsDir.resolve("zk-client.pem"), c.zooKeeperClient().keyAndChainPem()));
        }
        return out;
    }

    /** The users with their passwords hashed, as the node's services read them; the read step looks at the last one. */
    static Path hashedUsers(Path tlsDir) {
        return tlsDir.resolve("users.hashed");
    }

    /** The copy of the users file that a node's services read: the last one the agent found valid. */
    public static Path usersCopy(Path tlsDir) {
        return tlsDir.resolve("users");
    }

    /**
     * What {@code agent render --explain} shows of a secured node: each certificate's subject, names,
     * issuer, serial and expiry; the users' names and roles. Never a key or a password.
     */
    static List<RenderPlan.Explained> explain(Certificates c, Inputs in) {
        List<RenderPlan.Explained> out = new ArrayList<>();
        describe(out, "node certificate", c.node(), c.given() != null ? "given as files (env " + TLS_CERT_FILE + ", " + TLS_KEY_FILE
                + "), watched: a renewed pair is taken while the node runs" : "issued at start by the cluster CA (env " + CA_KEY_FILE + ")");
        for (int i = 0; i < c.trust().cas().size(); i++) {
            var ca = c.trust().cas().get(i);
            out.add(new RenderPlan.Explained(TLS_SCOPE, "trusted CA " + (i + 1) + " of " + c.trust().cas().size(),
                    "subject " + ca.getSubjectX500Principal().getName() + ", serial " + ca.getSerialNumber().toString(16) + ", not after "
                            + UtcDate.isoSeconds(ca.getNotAfter().getTime())
                            + (in.ca() != null && in.ca().certificate().equals(ca) ? ", issues this node's certificates" : ""),
                    "env " + CA_CERT_FILE + " (" + in.caCertFile() + ")"));
        }
        if (c.zooKeeperClient() != null) {
            describe(out, "brokers' ZooKeeper certificate", c.zooKeeperClient(), "issued at start: the identity every broker shares toward ZooKeeper");
        }
        out.add(new RenderPlan.Explained(TLS_SCOPE, "users", in.users().toString(), "env " + USERS_FILE + " (" + in.usersFile() + ")"));
        out.add(new RenderPlan.Explained(TLS_SCOPE, "certificate lifetime", Durations.format(in.lifetime()),
                "env " + CERT_LIFETIME + " (default 30d); renewed at two thirds of it"));
        return out;
    }

    private static void describe(List<RenderPlan.Explained> out, String what, NodeTls t, String source) {
        var x = t.certificate();
        out.add(new RenderPlan.Explained(TLS_SCOPE, what, "subject " + x.getSubjectX500Principal().getName()
                + ", SANs " + String.join(" ", sans(t))
                + ", issuer " + x.getIssuerX500Principal().getName()
                + ", serial " + x.getSerialNumber().toString(16)
                + ", not after " + UtcDate.isoSeconds(t.notAfter().toEpochMilli())
                + ", renewal at " + UtcDate.isoSeconds(t.renewAt().toEpochMilli()), source));
    }

    /** The owner of the TLS files in a plan: no one service, since all of a secured node's read them. */
    public static final String TLS_SCOPE = "tls";

    private static RenderedFile file(Path target, String content) {
        return new RenderedFile(TLS_SCOPE, target, null, content, true);
    }

    /**
     * The key of the users' salts: secret and stable, so that the hashed file is the same from one plan
     * to the next while the users are, and a reload restarts nothing. Derived from the CA's key; on a node
     * that holds none (its certificate given), from the users file itself, as secret as the passwords in it
     * (the salts then change with any change of the file, which re-renders the hashed file anyway).
     */
    private static byte[] saltKey(Inputs in) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            if (in.ca() != null) {
                return d.digest(in.ca().key().getEncoded());
            }
            d.update("dockhand users salt key\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return d.digest(in.users().usersFile().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
