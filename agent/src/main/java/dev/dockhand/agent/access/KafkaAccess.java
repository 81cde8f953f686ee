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
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
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
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.apache.kafka.common.acl.AclBinding;

/**
 * The users of a secured cluster, made real in Kafka and kept so: a SCRAM-SHA-512 and a SCRAM-SHA-256 credential for
 * each user of the users file, the ACLs of its role and scope, its quotas; the console's node its read-only rights;
 * applied through the brokers (AdminClient over the nodes' mutual-TLS listener, as a super user). Every broker node
 * runs it at every start (and a reload that changes the users), so a cluster formed for the first time gets its users
 * as soon as a broker is up and a changed file is in force after the next one.
 *
 * <p>It reconciles (ADR 019): against what Kafka holds (its SCRAM users, its ACLs, its user quotas), a user removed
 * from the file loses its credentials, its ACLs and its quotas, a changed role or scope loses the ACLs it no longer
 * has, a changed quota is set; what the agent does not own ({@link AccessPlan}: operators' ACLs, other principals)
 * is left as it is. A file that does not read changes nothing: the step stops before it reaches the cluster.
 */
public final class KafkaAccess {
    /**
     * SCRAM's iteration count: the most Kafka takes (ScramMechanism's maxIterations, 16384 for SCRAM-SHA-256
     * and -512 alike, in Kafka 3.9 and 4.x; more and AlterUserScramCredentials refuses the credential). What
     * Kafka stores (salt, StoredKey, ServerKey) is an offline guess's target for whoever reads ZooKeeper or
     * the metadata log: twice the 8192 of before doubles a guess's cost. The broker does not pay it: the
     * client derives its key once per connection (a few ms), the server checks HMACs. Every start applies
     * every credential again, so credentials made at 8192 move to this count at the next broker start.
     */
    static final int ITERATIONS = 16_384;

    /** Every user gets a credential of each: the clients pick either (librdkafka's and Java's support both). */
    static final List<ScramMechanism> MECHANISMS = List.of(ScramMechanism.SCRAM_SHA_512, ScramMechanism.SCRAM_SHA_256);

    private KafkaAccess() {}

    /** The ACL bindings of {@code user}'s role and scope. */
    static List<AclBinding> acls(Users.User user) {
        return AccessPlan.acls(user);
    }

    /**
     * Applies the users file through the brokers named in {@code clientConfig} (a Kafka client config:
     * the node's own, mutual TLS with the node's certificate).
     *
     * @param consoleNodes the FQDNs of the nodes that run the console and are not super users
     * @param registryNodes the FQDNs of the nodes that run the registry and are not super users
     * @param connectNodes the FQDNs of the nodes that run the Connect worker and are not super users
     * @param record the names of the users this step applied at its last success on this node (read, then rewritten
     *     after this run's success; absent: none): only a user in it is removed when the file no longer has it
     * @return 0 when applied (a user the cluster refuses for good is named on {@code err} and left without a
     *     login), 1 when the cluster did not take it within {@code timeout} (the agent tries again), 2 when an
     *     input is wrong
     */
    public static int run(Path clientConfig, Path usersFile, List<String> consoleNodes, List<String> registryNodes, List<String> connectNodes, Path record,
            Duration timeout, PrintWriter out, PrintWriter err) throws InterruptedException {
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
            err.println("kafka-access: nothing was changed in the cluster");
            err.flush();
            return 2;
        }
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(ms, 15_000));
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "dockhand-kafka-access");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(props)) {
            // what Kafka holds before anything changes: the SCRAM users are the ones this step made (ADR 019)
            Map<String, Set<ScramMechanism>> scram = new TreeMap<>();
            admin.describeUserScramCredentials().all().get(left(deadline), TimeUnit.NANOSECONDS).forEach((name, d) -> {
                Set<ScramMechanism> ms2 = new LinkedHashSet<>();
                d.credentialInfos().forEach(i -> ms2.add(i.mechanism()));
                scram.put(name, ms2);
            });
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
            }
            Collection<AclBinding> acls = admin.describeAcls(AclBindingFilter.ANY).values().get(left(deadline), TimeUnit.NANOSECONDS);
            Map<String, Map<String, Double>> quotas = new TreeMap<>();
            admin.describeClientQuotas(ClientQuotaFilter.contains(List.of(ClientQuotaFilterComponent.ofEntityType(ClientQuotaEntity.USER))))
                    .entities().get(left(deadline), TimeUnit.NANOSECONDS).forEach((entity, values) -> {
                        String name = entity.entries().get(ClientQuotaEntity.USER);
                        if (entity.entries().size() == 1 && name != null) {
                            quotas.put(name, values);
                        }
                    });
            Set<String> fileNames = new LinkedHashSet<>();
            users.all().forEach(u -> fileNames.add(u.name()));
            AccessPlan.Changes c = AccessPlan.changes(applied, principals(consoleNodes), principals(registryNodes), principals(connectNodes), fileNames,
                    AppliedRecord.read(record, err), new AccessPlan.Current(scram, acls, quotas));

            // rights first, then what goes: a step cut short leaves a removed user's login, which the next run (it
            // still holds a SCRAM credential, so it is still the agent's) removes with whatever is left of its rights
            if (!c.createAcls().isEmpty()) {
                admin.createAcls(c.createAcls()).all().get(left(deadline), TimeUnit.NANOSECONDS);
            }
            if (!c.deleteAcls().isEmpty()) {
                admin.deleteAcls(c.deleteAcls().stream().map(AclBinding::toFilter).toList()).all().get(left(deadline), TimeUnit.NANOSECONDS);
            }
            if (!c.quotas().isEmpty()) {
                List<ClientQuotaAlteration> alterations = new ArrayList<>();
                c.quotas().forEach((name, keys) -> {
                    List<ClientQuotaAlteration.Op> ops = new ArrayList<>();
                    keys.forEach((k, v) -> ops.add(new ClientQuotaAlteration.Op(k, v)));
                    alterations.add(new ClientQuotaAlteration(new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, name)), ops));
                });
                admin.alterClientQuotas(alterations).all().get(left(deadline), TimeUnit.NANOSECONDS);
            }
            Set<String> removed = new java.util.TreeSet<>();
            if (!c.deleteScram().isEmpty()) {
                List<UserScramCredentialAlteration> deletions = new ArrayList<>();
                for (AccessPlan.ScramDeletion d : c.deleteScram()) {
                    deletions.add(new UserScramCredentialDeletion(d.user(), d.mechanism()));
                    removed.add(d.user());
                }
                // one request per mechanism, as for the upserts
                for (ScramMechanism m : MECHANISMS) {
                    List<UserScramCredentialAlteration> these = deletions.stream()
                            .filter(d -> ((UserScramCredentialDeletion) d).mechanism() == m).toList();
                    if (!these.isEmpty()) {
                        admin.alterUserScramCredentials(these).all().get(left(deadline), TimeUnit.NANOSECONDS);
                    }
                }
            }
            AppliedRecord.write(record, fileNames);
            for (String r : refused) {
                err.println("kafka-access: the cluster refused the login of user " + r + "; it has none until the users file is fixed");
            }
            int inForce = 0;
            for (Users.User u : applied) {
                inForce += AccessPlan.acls(u).size();
            }
            out.println("kafka-access: " + applied.size() + " user(s) with SCRAM-SHA-512 and SCRAM-SHA-256 credentials ("
                    + String.join(", ", applied.stream().map(u -> u.name() + " " + u.role().name().toLowerCase(Locale.ROOT)
                            + (u.scope().prefixed() ? " scoped" : "")).toList())
                    + "), " + inForce + " ACL bindings in force" + (refused.isEmpty() ? "" : "; " + refused.size() + " refused"));
            out.println("kafka-access: reconciled: " + c.createAcls().size() + " ACL binding(s) created, " + c.deleteAcls().size()
                    + " removed, " + c.quotas().size() + " user quota(s) changed, " + (removed.isEmpty() ? "no login removed"
                            : "the login of " + String.join(", ", removed) + " removed (no longer in the users file)")
                    + "; " + (consoleNodes.size() + registryNodes.size() + connectNodes.size()) + " console/registry/connect node(s) with their own rights");
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

    /** The certificate principals of nodes by FQDN. */
    static List<String> principals(List<String> fqdns) {
        return fqdns.stream().map(Users::nodePrincipal).toList();
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
