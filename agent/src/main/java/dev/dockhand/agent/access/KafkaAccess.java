package dev.dockhand.agent.access;

import dev.dockhand.agent.core.InputFiles;
import dev.dockhand.agent.log.AgentLog;
import dev.dockhand.agent.security.Users;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The users of a secured cluster, made real in Kafka: a SCRAM-SHA-512 and a SCRAM-SHA-256 credential for each user of the
 * users file, and the ACLs of its role, applied through the brokers (AdminClient over the nodes'
 * mutual-TLS listener, as a super user). Idempotent: every broker node runs it at every start, so a
 * cluster formed for the first time gets its users as soon as a broker is up, and a password changed
 * in the secret file is in force after the next start. Users no longer in the file are left as they
 * are (credentials and ACLs made by hand too): removing one is an operator's act
 * ({@code kafka-configs --delete-config SCRAM-SHA-512 ...}, {@code kafka-acls --remove ...}).
 *
 * <p>Roles: {@code client} may produce, consume, create topics and commit offsets (Topic, Group and
 * TransactionalId {@code *}, idempotent writes); {@code admin} may do everything (ALL on every resource
 * type). Nothing is granted to anyone else: the brokers deny what no ACL allows.
 */
public final class KafkaAccess {
    /** SCRAM's iteration count: Kafka's minimum is 4096; 8192 as its tools' default. */
    static final int ITERATIONS = 8192;

    /** Every user gets a credential of each: the clients pick either (librdkafka's and Java's support both). */
    static final List<ScramMechanism> MECHANISMS = List.of(ScramMechanism.SCRAM_SHA_512, ScramMechanism.SCRAM_SHA_256);

    private KafkaAccess() {}

    /** The ACL bindings of {@code user}'s role. */
    static List<AclBinding> acls(Users.User user) {
        String principal = "User:" + user.name();
        List<AclBinding> out = new ArrayList<>();
        if (user.role() == dev.dockhand.users.Role.ADMIN) {
            for (ResourceType t : List.of(ResourceType.TOPIC, ResourceType.GROUP, ResourceType.TRANSACTIONAL_ID, ResourceType.DELEGATION_TOKEN)) {
                out.add(allow(principal, t, "*", AclOperation.ALL));
            }
            out.add(allow(principal, ResourceType.CLUSTER, "kafka-cluster", AclOperation.ALL));
            return out;
        }
        for (AclOperation op : List.of(AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.CREATE,
                AclOperation.DESCRIBE_CONFIGS)) {
            out.add(allow(principal, ResourceType.TOPIC, "*", op));
        }
        out.add(allow(principal, ResourceType.GROUP, "*", AclOperation.READ));
        out.add(allow(principal, ResourceType.GROUP, "*", AclOperation.DESCRIBE));
        out.add(allow(principal, ResourceType.TRANSACTIONAL_ID, "*", AclOperation.WRITE));
        out.add(allow(principal, ResourceType.TRANSACTIONAL_ID, "*", AclOperation.DESCRIBE));
        out.add(allow(principal, ResourceType.CLUSTER, "kafka-cluster", AclOperation.IDEMPOTENT_WRITE));
        return out;
    }

    private static AclBinding allow(String principal, ResourceType type, String name, AclOperation op) {
        return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW));
    }

    /**
     * Applies the users file through the brokers named in {@code clientConfig} (a Kafka client config:
     * the node's own, mutual TLS with the node's certificate).
     *
     * @return 0 when applied (a user the cluster refuses for good is named on {@code err} and left without a
     *     login), 1 when the cluster did not take it within {@code timeout} (the agent tries again), 2 when an
     *     input is wrong
     */
    public static int run(Path clientConfig, Path usersFile, Duration timeout, PrintWriter out, PrintWriter err) throws InterruptedException {
        quietKafkaClientLogs();
        List<String> problems = new ArrayList<>();
        Users users = Users.read(usersFile, "--users-file", problems);
        Properties props = new Properties();
        try {
            props.load(new StringReader(InputFiles.read(clientConfig, InputFiles.TEMPLATE_LIMIT)));
        } catch (IOException e) {
            problems.add("client config " + clientConfig + " (--client-config) " + e.getMessage());
        }
        if (!problems.isEmpty()) {
            problems.forEach(p -> err.println("kafka-access: " + p));
            err.flush();
            return 2;
        }
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(ms, 15_000));
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "dockhand-kafka-access");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(props)) {
            // one request per mechanism: Kafka refuses a request that alters a user's credentials twice
            // (DuplicateResourceException), whatever the mechanisms
            List<Map<String, org.apache.kafka.common.KafkaFuture<Void>>> perMechanism = new ArrayList<>();
            for (ScramMechanism m : MECHANISMS) {
                List<UserScramCredentialAlteration> credentials = new ArrayList<>();
                for (Users.User u : users.all()) {
                    credentials.add(new UserScramCredentialUpsertion(u.name(), new ScramCredentialInfo(m, ITERATIONS), u.password()));
                }
                perMechanism.add(admin.alterUserScramCredentials(credentials).values());
            }
            // user by user: a name or password the cluster refuses costs that user its login, not the others
            // theirs, and is not worth trying again (the agent restarts this step only when it exits non-zero)
            List<String> refused = new ArrayList<>();
            List<AclBinding> bindings = new ArrayList<>();
            List<Users.User> applied = new ArrayList<>();
            for (Users.User u : users.all()) {
                try {
                    for (var perUser : perMechanism) {
                        perUser.get(u.name()).get(left(deadline), TimeUnit.NANOSECONDS);
                    }
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof org.apache.kafka.common.errors.RetriableException) {
                        throw e;
                    }
                    // the exception's class and message only: never the request, which carries the credential
                    refused.add(u.name() + " (" + e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage() + ")");
                    continue;
                }
                applied.add(u);
                bindings.addAll(acls(u));
            }
            admin.createAcls(bindings).all().get(left(deadline), TimeUnit.NANOSECONDS);
            for (String r : refused) {
                err.println("kafka-access: the cluster refused the login of user " + r + "; it has none until the users file is fixed");
            }
            out.println("kafka-access: " + applied.size() + " user(s) with SCRAM-SHA-512 and SCRAM-SHA-256 credentials ("
                    + String.join(", ", applied.stream().map(u -> u.name() + " " + u.role().name().toLowerCase(Locale.ROOT)).toList())
                    + "), " + bindings.size() + " ACL bindings in force" + (refused.isEmpty() ? "" : "; " + refused.size() + " refused"));
            out.flush();
            err.flush();
            return 0;
        } catch (ExecutionException e) {
            err.println("kafka-access: the cluster refused or did not answer: " + e.getCause());
        } catch (TimeoutException e) {
            err.println("kafka-access: the cluster did not answer within " + timeout.toSeconds() + " s");
        } catch (org.apache.kafka.common.KafkaException e) {
            err.println("kafka-access: cannot reach the cluster with " + clientConfig + ": " + e.getMessage());
        }
        err.flush();
        return 1;
    }

    /** kafka-clients logs its whole config at INFO; this step says in one line what it did. */
    private static void quietKafkaClientLogs() {
        AgentLog log = AgentLog.get();
        if (!log.getLogger("org.apache.kafka").isDebugEnabled()) {
            log.setLevel("org.apache.kafka", org.slf4j.event.Level.WARN);
            log.setLevel("org.apache.kafka.clients.NetworkClient", org.slf4j.event.Level.ERROR);
        }
    }

    private static long left(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }
}
