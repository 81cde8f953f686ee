package dev.dockhand.agent.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.security.Users;
import dev.dockhand.users.Role;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/** The reconciliation of a users file with what Kafka holds (ADR 019), without a cluster: what is created, what goes. */
class AccessPlanTest {
    static final Set<ScramMechanism> BOTH = Set.of(ScramMechanism.SCRAM_SHA_512, ScramMechanism.SCRAM_SHA_256);
    static final String CONSOLE = "User:CN=gw-1.k.test";
    static final String REGISTRY = "User:CN=sr-1.k.test";

    static Users.User user(String name, Role role) {
        return new Users.User(name, "password-" + name, role);
    }

    static Users.User team(String name, String prefix, Map<String, Double> quotas) {
        return new Users.User(name, "password-" + name, Role.CLIENT, new Users.Scope(List.of(prefix), List.of(prefix), List.of(prefix), quotas));
    }

    static AclBinding acl(String principal, ResourceType type, String name, PatternType pt, AclOperation op, AclPermissionType perm, String host) {
        return new AclBinding(new ResourcePattern(type, name, pt), new AccessControlEntry(principal, host, op, perm));
    }

    /** What Kafka holds after the agent applied {@code users} (and the console's rights), plus {@code extra}. */
    static AccessPlan.Current applied(List<Users.User> users, List<AclBinding> extra) {
        Map<String, Set<ScramMechanism>> scram = new HashMap<>();
        List<AclBinding> acls = new ArrayList<>(extra);
        Map<String, Map<String, Double>> quotas = new HashMap<>();
        for (Users.User u : users) {
            scram.put(u.name(), BOTH);
            acls.addAll(AccessPlan.acls(u));
            if (!u.scope().quotas().isEmpty()) {
                quotas.put(u.name(), u.scope().quotas());
            }
        }
        acls.addAll(AccessPlan.consoleAcls(CONSOLE));
        return new AccessPlan.Current(scram, acls, quotas);
    }

    static AccessPlan.Changes changes(List<Users.User> file, AccessPlan.Current now) {
        Set<String> names = file.stream().map(Users.User::name).collect(Collectors.toCollection(LinkedHashSet::new));
        // these cases' clusters hold only what the agent applied: every SCRAM user there is in its record
        return AccessPlan.changes(file, List.of(CONSOLE), List.of(REGISTRY), List.of(), names, now.scram().keySet(), now);
    }

    @Test
    void aUserTheAgentNeverAppliedKeepsItsLoginAndAcls() {
        // made by an operator with Kafka's tools, or carried over by a migration: not in the file, not in the record
        List<Users.User> file = List.of(user("app", Role.CLIENT));
        AccessPlan.Current now = applied(List.of(user("app", Role.CLIENT), user("legacy", Role.ADMIN)), List.of());
        AccessPlan.Changes c = AccessPlan.changes(file, List.of(CONSOLE), List.of(REGISTRY), List.of(), Set.of("app"), Set.of("app"), now);
        assertEquals(List.of(), c.deleteScram(), "its login stays");
        assertEquals(List.of(), c.deleteAcls(), "its ACLs stay");
        // once the record says the agent applied it, its removal from the file removes it
        AccessPlan.Changes removed = AccessPlan.changes(file, List.of(CONSOLE), List.of(REGISTRY), List.of(), Set.of("app"), Set.of("app", "legacy"), now);
        assertTrue(removed.deleteScram().stream().allMatch(d -> d.user().equals("legacy")) && !removed.deleteScram().isEmpty());
        assertFalse(removed.deleteAcls().isEmpty());
    }

    @Test
    void anUnchangedFileChangesNothing() {
        List<Users.User> file = List.of(user("app", Role.CLIENT), user("ops", Role.ADMIN), team("team-a", "team-a.", Map.of("producer_byte_rate", 10240.0)));
        AccessPlan.Changes c = changes(file, applied(file, List.of()));
        assertEquals(new AccessPlan.Changes(List.of(), List.of(), List.of(), Map.of()), c);
    }

    @Test
    void aRemovedUserLosesItsLoginItsAclsAndItsQuotas() {
        Users.User gone = team("gone", "gone.", Map.of("consumer_byte_rate", 4096.0));
        List<Users.User> before = List.of(user("app", Role.CLIENT), gone);
        AccessPlan.Changes c = changes(List.of(user("app", Role.CLIENT)), applied(before, List.of()));
        assertEquals(Set.of(new AccessPlan.ScramDeletion("gone", ScramMechanism.SCRAM_SHA_512), new AccessPlan.ScramDeletion("gone", ScramMechanism.SCRAM_SHA_256)),
                Set.copyOf(c.deleteScram()));
        assertEquals(Set.copyOf(AccessPlan.acls(gone)), Set.copyOf(c.deleteAcls()), "every ACL of the removed user, nobody else's");
        assertEquals(Map.of("gone", java.util.Collections.singletonMap("consumer_byte_rate", null)), c.quotas());
        assertEquals(List.of(), c.createAcls());
    }

    @Test
    void aDemotedAdminLosesAllAndAPromotedClientItsWildcards() {
        Users.User opsAdmin = user("ops", Role.ADMIN);
        AccessPlan.Changes c = changes(List.of(user("ops", Role.CLIENT)), applied(List.of(opsAdmin), List.of()));
        assertEquals(Set.copyOf(AccessPlan.acls(opsAdmin)), Set.copyOf(c.deleteAcls()));
        assertTrue(c.deleteAcls().stream().allMatch(b -> b.entry().operation() == AclOperation.ALL), c.deleteAcls().toString());
        assertEquals(Set.copyOf(AccessPlan.acls(user("ops", Role.CLIENT))), Set.copyOf(c.createAcls()));
        assertEquals(List.of(), c.deleteScram(), "a changed role keeps the login");
    }

    @Test
    void aClientScopedToATeamLosesItsWildcardsAndGetsItsPrefixesAndQuotas() {
        Users.User before = user("app", Role.CLIENT);
        Users.User after = team("app", "team-a.", Map.of("producer_byte_rate", 10240.0, "request_percentage", 25.0));
        AccessPlan.Changes c = changes(List.of(after), applied(List.of(before), List.of()));
        assertTrue(c.deleteAcls().stream().allMatch(b -> b.pattern().name().equals("*")), c.deleteAcls().toString());
        assertEquals(9, c.deleteAcls().size(), "READ WRITE DESCRIBE CREATE DESCRIBE_CONFIGS on topic *, READ DESCRIBE on group *, "
                + "WRITE DESCRIBE on transactional id *; IDEMPOTENT_WRITE on the cluster stays: " + c.deleteAcls());
        assertTrue(c.createAcls().stream().allMatch(b -> b.pattern().patternType() == PatternType.PREFIXED && b.pattern().name().equals("team-a.")),
                c.createAcls().toString());
        assertEquals(9, c.createAcls().size(), c.createAcls().toString());
        assertEquals(Map.of("app", Map.of("producer_byte_rate", 10240.0, "request_percentage", 25.0)), c.quotas());
    }

    @Test
    void aScopedClientHasExactlyItsPrefixesAndNoWildcard() {
        Users.User a = new Users.User("team-a", "password-a", Role.CLIENT,
                new Users.Scope(List.of("a.", "shared-a."), List.of("a-"), List.of(), Map.of()));
        List<AclBinding> acls = AccessPlan.acls(a);
        for (AclBinding b : acls) {
            assertEquals(AclPermissionType.ALLOW, b.entry().permissionType());
            if (b.pattern().resourceType() == ResourceType.CLUSTER) {
                assertEquals(AclOperation.IDEMPOTENT_WRITE, b.entry().operation(), "nothing else on the cluster");
            } else {
                assertEquals(PatternType.PREFIXED, b.pattern().patternType(), b.toString());
                assertFalse(b.pattern().name().contains("*"), b.toString());
            }
        }
        assertEquals(Set.of("a.", "shared-a."), acls.stream().filter(b -> b.pattern().resourceType() == ResourceType.TOPIC)
                .map(b -> b.pattern().name()).collect(Collectors.toSet()));
        assertEquals(Set.of("a-"), acls.stream().filter(b -> b.pattern().resourceType() == ResourceType.GROUP).map(b -> b.pattern().name())
                .collect(Collectors.toSet()));
        assertTrue(acls.stream().noneMatch(b -> b.pattern().resourceType() == ResourceType.TRANSACTIONAL_ID), "no prefix, no transactions");
    }

    @Test
    void anOperatorsAclsAndOtherPrincipalsAreNeverTouched() {
        List<AclBinding> operators = List.of(
                // for a managed user: a DENY, a LITERAL name, a host: not shapes the agent writes
                acl("User:app", ResourceType.TOPIC, "payroll", PatternType.PREFIXED, AclOperation.READ, AclPermissionType.DENY, "*"),
                acl("User:app", ResourceType.TOPIC, "orders", PatternType.LITERAL, AclOperation.READ, AclPermissionType.ALLOW, "*"),
                acl("User:app", ResourceType.TOPIC, "x.", PatternType.PREFIXED, AclOperation.READ, AclPermissionType.ALLOW, "10.0.0.7"),
                // a principal the agent does not manage: an outside app's certificate, a user without SCRAM login
                acl("User:CN=app.example", ResourceType.TOPIC, "*", PatternType.LITERAL, AclOperation.ALL, AclPermissionType.ALLOW, "*"),
                acl("User:ANONYMOUS", ResourceType.TOPIC, "pub.", PatternType.PREFIXED, AclOperation.READ, AclPermissionType.ALLOW, "*"));
        List<Users.User> file = List.of(user("app", Role.CLIENT));
        AccessPlan.Changes c = changes(file, applied(file, operators));
        assertEquals(List.of(), c.deleteAcls());
        // and when the app user goes, its own ACLs go, the operator's stay
        AccessPlan.Changes gone = changes(List.of(user("ops", Role.ADMIN)), applied(file, operators));
        assertEquals(Set.copyOf(AccessPlan.acls(file.get(0))), Set.copyOf(gone.deleteAcls()));
    }

    @Test
    void aConnectWorkerGetsItsGroupItsTopicsAndTheConnectorsPrefixOnly() {
        String worker = "User:CN=cn-1.k.test";
        List<AclBinding> acls = AccessPlan.connectAcls(worker);
        // every grant is PREFIXED on the worker's own names or the connectors' prefix, or the cluster's IDEMPOTENT_WRITE
        for (AclBinding b : acls) {
            if (b.pattern().resourceType() == ResourceType.CLUSTER) {
                assertEquals(AclOperation.IDEMPOTENT_WRITE, b.entry().operation());
                continue;
            }
            assertEquals(PatternType.PREFIXED, b.pattern().patternType(), b.toString());
            assertTrue(Set.of("dockhand-connect", "connect-").contains(b.pattern().name()), b.toString());
            assertTrue(Set.of(ResourceType.TOPIC, ResourceType.GROUP).contains(b.pattern().resourceType()), b.toString());
            assertFalse(Set.of(AclOperation.ALL, AclOperation.DELETE, AclOperation.ALTER, AclOperation.ALTER_CONFIGS).contains(b.entry().operation()),
                    "nothing that deletes or reconfigures: " + b);
        }
        Set<AclOperation> topicOps = acls.stream().filter(b -> b.pattern().resourceType() == ResourceType.TOPIC
                && b.pattern().name().equals("dockhand-connect")).map(b -> b.entry().operation()).collect(Collectors.toSet());
        assertEquals(Set.of(AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS, AclOperation.READ, AclOperation.WRITE),
                topicOps, "the worker makes, checks, reads and writes its three topics");
        assertFalse(acls.stream().anyMatch(b -> b.pattern().resourceType() == ResourceType.TRANSACTIONAL_ID), "exactly-once is off");
        // applied like the console's: created when missing, kept when held
        List<Users.User> file = List.of(user("app", Role.CLIENT));
        Set<String> names = Set.of("app");
        AccessPlan.Current now = applied(file, List.of());
        AccessPlan.Changes add = AccessPlan.changes(file, List.of(CONSOLE), List.of(REGISTRY), List.of(worker), names, names, now);
        assertEquals(Set.copyOf(acls), Set.copyOf(add.createAcls()));
        AccessPlan.Current withWorker = applied(file, acls);
        assertEquals(List.of(), AccessPlan.changes(file, List.of(CONSOLE), List.of(REGISTRY), List.of(worker), names, names, withWorker).deleteAcls());
        // a node that runs the console and a worker has both's rights
        AccessPlan.Changes both = AccessPlan.changes(file, List.of(worker), List.of(), List.of(worker), names, names, now);
        assertTrue(both.createAcls().containsAll(AccessPlan.consoleAcls(worker)) && both.createAcls().containsAll(acls));
    }

    @Test
    void theConsoleReadsAndTheRegistryHasNothing() {
        List<AclBinding> console = AccessPlan.consoleAcls(CONSOLE);
        Set<AclOperation> ops = console.stream().map(b -> b.entry().operation()).collect(Collectors.toSet());
        assertEquals(Set.of(AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS), ops, "reads only");
        assertEquals(List.of(), AccessPlan.registryAcls(REGISTRY), "the registry keeps its schemas in its own database, not in Kafka");
        // a registry node's ACLs of the agent's shapes (say, from an earlier version) go; a LITERAL topic an operator gave it stays
        AclBinding old = acl(REGISTRY, ResourceType.TOPIC, "*", PatternType.LITERAL, AclOperation.ALL, AclPermissionType.ALLOW, "*");
        AclBinding kept = acl(REGISTRY, ResourceType.TOPIC, "kafkasql-journal", PatternType.LITERAL, AclOperation.ALL, AclPermissionType.ALLOW, "*");
        List<Users.User> file = List.of(user("app", Role.CLIENT));
        AccessPlan.Changes c = changes(file, applied(file, List.of(old, kept)));
        assertEquals(List.of(old), c.deleteAcls());
        // a cluster whose console had no rights yet gets them
        AccessPlan.Changes fresh = changes(file, new AccessPlan.Current(Map.of(), List.of(), Map.of()));
        assertTrue(fresh.createAcls().containsAll(console));
    }

    @Test
    void aChangedQuotaIsSetAndARemovedOneCleared() {
        Users.User before = team("t", "t.", Map.of("producer_byte_rate", 10240.0, "consumer_byte_rate", 20480.0));
        Users.User after = team("t", "t.", Map.of("producer_byte_rate", 40960.0));
        AccessPlan.Changes c = changes(List.of(after), applied(List.of(before), List.of()));
        Map<String, Double> want = new HashMap<>();
        want.put("producer_byte_rate", 40960.0);
        want.put("consumer_byte_rate", null);
        assertEquals(Map.of("t", want), c.quotas());
        assertEquals(List.of(), c.deleteAcls());
    }
}
