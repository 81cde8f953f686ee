package dev.dockhand.agent.access;

import dev.dockhand.agent.security.Users;
import dev.dockhand.users.Role;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What the cluster must be told so that its logins, ACLs and quotas are the users file's: a pure function of the
 * users file, the nodes whose certificates get narrow rights (console, registry) and what Kafka holds now (ADR 019).
 *
 * <p>The principals the agent manages: {@code User:NAME} of every user of the file and of every user this step applied
 * before on this node (its record: a user in it and no longer in the file is one removed from the file), and the
 * console and registry nodes' certificate principals. A SCRAM user the agent never applied (made by an operator with
 * Kafka's tools, or carried over by a migration) is not the agent's: its login and ACLs stay. Of their ACLs the agent owns those of the shapes it
 * writes: ALLOW, host {@code *}, on a PREFIXED pattern, on the LITERAL name {@code *}, or on the cluster. Every other
 * ACL (a DENY, a host, a LITERAL topic or group name, any principal not managed) is an operator's, and stays.
 */
final class AccessPlan {
    /** The cluster resource's one name. */
    static final String CLUSTER = "kafka-cluster";

    /** What Kafka holds: SCRAM users and their mechanisms, every ACL, the users' quotas (user name to Kafka's keys). */
    record Current(Map<String, Set<ScramMechanism>> scram, Collection<AclBinding> acls, Map<String, Map<String, Double>> quotas) {}

    /** A SCRAM credential to delete. */
    record ScramDeletion(String user, ScramMechanism mechanism) {}

    /**
     * @param createAcls the ACLs to create (every desired one: creating an existing ACL changes nothing)
     * @param deleteAcls the agent's ACLs that are no longer wanted, each exactly as Kafka holds it
     * @param deleteScram the credentials of users no longer in the file
     * @param quotas per user, each quota key to set (a value) or to remove (null); users without a change left out
     */
    record Changes(List<AclBinding> createAcls, List<AclBinding> deleteAcls, List<ScramDeletion> deleteScram,
            Map<String, Map<String, Double>> quotas) {}

    private AccessPlan() {}

    /**
     * @param users the users whose logins are in force (the file's, less any the cluster refused)
     * @param consolePrincipals the console nodes' certificate principals (not super users)
     * @param registryPrincipals the registry nodes' certificate principals (not super users)
     * @param connectPrincipals the Connect worker nodes' certificate principals (not super users)
     * @param fileNames every user name of the file (those the cluster refused too)
     * @param appliedBefore the user names this step applied at its last success on this node (empty: none recorded)
     */
    static Changes changes(List<Users.User> users, Collection<String> consolePrincipals, Collection<String> registryPrincipals,
            Collection<String> connectPrincipals, Set<String> fileNames, Set<String> appliedBefore, Current now) {
        Map<String, List<AclBinding>> desired = new LinkedHashMap<>();
        for (Users.User u : users) {
            desired.put(principal(u.name()), acls(u));
        }
        for (String p : consolePrincipals) {
            desired.put(p, new ArrayList<>(consoleAcls(p)));
        }
        for (String p : connectPrincipals) {
            // a node may run the console and a worker: it gets both's rights
            desired.computeIfAbsent(p, k -> new ArrayList<>()).addAll(connectAcls(p));
        }
        for (String p : registryPrincipals) {
            desired.putIfAbsent(p, registryAcls(p));
        }
        Set<String> managed = new LinkedHashSet<>(desired.keySet());
        fileNames.forEach(n -> managed.add(principal(n)));
        appliedBefore.forEach(n -> managed.add(principal(n)));

        Set<AclBinding> wanted = new LinkedHashSet<>();
        desired.values().forEach(wanted::addAll);
        List<AclBinding> delete = new ArrayList<>();
        for (AclBinding b : now.acls()) {
            if (managed.contains(b.entry().principal()) && agents(b) && !wanted.contains(b)) {
                delete.add(b);
            }
        }
        Set<AclBinding> held = new LinkedHashSet<>(now.acls());
        List<AclBinding> create = wanted.stream().filter(b -> !held.contains(b)).toList();

        List<ScramDeletion> scram = new ArrayList<>();
        for (var e : new java.util.TreeMap<>(now.scram()).entrySet()) {
            if (appliedBefore.contains(e.getKey()) && !fileNames.contains(e.getKey())) {
                for (ScramMechanism m : e.getValue()) {
                    scram.add(new ScramDeletion(e.getKey(), m));
                }
            }
        }

        Map<String, Map<String, Double>> quotas = new LinkedHashMap<>();
        Set<String> names = new TreeSet<>(fileNames);
        names.addAll(appliedBefore);
        Map<String, Users.User> byName = new LinkedHashMap<>();
        users.forEach(u -> byName.put(u.name(), u));
        for (String name : names) {
            Map<String, Double> want = byName.containsKey(name) ? byName.get(name).scope().quotas() : Map.of();
            Map<String, Double> have = now.quotas().getOrDefault(name, Map.of());
            Map<String, Double> change = new LinkedHashMap<>();
            for (String k : Users.QUOTA_KEYS) {
                Double w = want.get(k);
                Double h = have.get(k);
                if (w != null && !w.equals(h)) {
                    change.put(k, w);
                } else if (w == null && h != null) {
                    change.put(k, null);
                }
            }
            if (!change.isEmpty()) {
                quotas.put(name, change);
            }
        }
        return new Changes(create, delete, scram, quotas);
    }

    /** Whether {@code b} has a shape the agent writes (and so, on a managed principal, is the agent's to remove). */
    static boolean agents(AclBinding b) {
        if (b.entry().permissionType() != AclPermissionType.ALLOW || !"*".equals(b.entry().host())) {
            return false;
        }
        ResourcePattern p = b.pattern();
        return p.patternType() == PatternType.PREFIXED
                || p.patternType() == PatternType.LITERAL && ("*".equals(p.name()) || p.resourceType() == ResourceType.CLUSTER);
    }

    static String principal(String user) {
        return "User:" + user;
    }

    /**
     * The ACLs of {@code user}'s role and scope. {@code admin}: ALL on every resource type. {@code client}: produce,
     * consume, create topics, commit offsets and transactions, on every name, or, with prefixes (a team's user), on
     * the names that start with one of them only: nothing outside them, Kafka's internal topics included.
     */
    static List<AclBinding> acls(Users.User user) {
        String principal = principal(user.name());
        List<AclBinding> out = new ArrayList<>();
        if (user.role() == Role.ADMIN) {
            for (ResourceType t : List.of(ResourceType.TOPIC, ResourceType.GROUP, ResourceType.TRANSACTIONAL_ID, ResourceType.DELEGATION_TOKEN)) {
                out.add(allow(principal, t, "*", PatternType.LITERAL, AclOperation.ALL));
            }
            out.add(allow(principal, ResourceType.CLUSTER, CLUSTER, PatternType.LITERAL, AclOperation.ALL));
            return out;
        }
        Users.Scope s = user.scope();
        PatternType pt = s.prefixed() ? PatternType.PREFIXED : PatternType.LITERAL;
        List<String> topics = s.prefixed() ? s.topics() : List.of("*");
        List<String> groups = s.prefixed() ? s.groups() : List.of("*");
        List<String> txids = s.prefixed() ? s.transactionalIds() : List.of("*");
        for (String t : topics) {
            for (AclOperation op : List.of(AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.CREATE,
                    AclOperation.DESCRIBE_CONFIGS)) {
                out.add(allow(principal, ResourceType.TOPIC, t, pt, op));
            }
        }
        for (String g : groups) {
            out.add(allow(principal, ResourceType.GROUP, g, pt, AclOperation.READ));
            out.add(allow(principal, ResourceType.GROUP, g, pt, AclOperation.DESCRIBE));
        }
        for (String x : txids) {
            out.add(allow(principal, ResourceType.TRANSACTIONAL_ID, x, pt, AclOperation.WRITE));
            out.add(allow(principal, ResourceType.TRANSACTIONAL_ID, x, pt, AclOperation.DESCRIBE));
        }
        out.add(allow(principal, ResourceType.CLUSTER, CLUSTER, PatternType.LITERAL, AclOperation.IDEMPOTENT_WRITE));
        return out;
    }

    /**
     * The console's node: what its page shows and nothing else. DESCRIBE on the cluster (the brokers' log dirs, the
     * KRaft quorum, the list of every group), DESCRIBE and DESCRIBE_CONFIGS on the cluster and every topic (topics,
     * partitions, end offsets), DESCRIBE on every group (members, committed offsets: OffsetFetch asks DESCRIBE).
     * Nothing that writes, creates, deletes or changes a setting.
     */
    static List<AclBinding> consoleAcls(String principal) {
        return List.of(
                allow(principal, ResourceType.CLUSTER, CLUSTER, PatternType.LITERAL, AclOperation.DESCRIBE),
                allow(principal, ResourceType.CLUSTER, CLUSTER, PatternType.LITERAL, AclOperation.DESCRIBE_CONFIGS),
                allow(principal, ResourceType.TOPIC, "*", PatternType.LITERAL, AclOperation.DESCRIBE),
                allow(principal, ResourceType.TOPIC, "*", PatternType.LITERAL, AclOperation.DESCRIBE_CONFIGS),
                allow(principal, ResourceType.GROUP, "*", PatternType.LITERAL, AclOperation.DESCRIBE));
    }

    /** The prefix of the Connect group's name and of its three internal topics (templates/connect/). */
    static final String CONNECT_INTERNAL = "dockhand-connect";
    /**
     * The prefix of the connectors' own topics and of the sink connectors' consumer groups (Connect names a sink's group
     * {@code connect-<connector>}): what a worker's connectors may read and write (ADR 023).
     */
    static final String CONNECTORS = "connect-";

    /**
     * A Connect worker's node (ADR 023): its group and its internal topics, the connectors' topics and groups, nothing
     * else. Group {@code dockhand-connect} and the sinks' groups {@code connect-*}: READ (join, heartbeat, commit) and
     * DESCRIBE. Topics {@code dockhand-connect*} (config, offsets, status) and {@code connect-*}: CREATE (the worker
     * makes its topics, a source's {@code topic.creation.*} its own), DESCRIBE, DESCRIBE_CONFIGS (the worker checks its
     * topics are compacted), READ, WRITE. IDEMPOTENT_WRITE on the cluster, as a client user has it: the worker's and the
     * tasks' producers are idempotent (Kafka 3's default). No transactional id: exactly-once source support is off (Kafka's default); turning it on needs the
     * worker's and the tasks' transactional ids of prefix {@code connect-cluster-dockhand-connect} and
     * {@code dockhand-connect-}, not granted here.
     */
    static List<AclBinding> connectAcls(String principal) {
        List<AclBinding> out = new ArrayList<>();
        for (String prefix : List.of(CONNECT_INTERNAL, CONNECTORS)) {
            for (AclOperation op : List.of(AclOperation.READ, AclOperation.DESCRIBE)) {
                out.add(allow(principal, ResourceType.GROUP, prefix, PatternType.PREFIXED, op));
            }
            for (AclOperation op : List.of(AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS, AclOperation.READ,
                    AclOperation.WRITE)) {
                out.add(allow(principal, ResourceType.TOPIC, prefix, PatternType.PREFIXED, op));
            }
        }
        out.add(allow(principal, ResourceType.CLUSTER, CLUSTER, PatternType.LITERAL, AclOperation.IDEMPOTENT_WRITE));
        return out;
    }

    /**
     * The registry's node: nothing. The registry keeps its schemas in its own database on the node's volume
     * ({@code templates/schema-registry/application.properties}: H2), not in a Kafka topic, so it has no storage topic
     * or group to be given; its node needs no Kafka right at all.
     */
    static List<AclBinding> registryAcls(String principal) {
        return List.of();
    }

    private static AclBinding allow(String principal, ResourceType type, String name, PatternType pt, AclOperation op) {
        return new AclBinding(new ResourcePattern(type, name, pt), new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW));
    }
}
