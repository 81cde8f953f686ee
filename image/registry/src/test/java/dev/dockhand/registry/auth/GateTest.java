package dev.dockhand.registry.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.registry.auth.Gate.Verdict;
import dev.dockhand.users.FailedLogins;
import dev.dockhand.users.Login;
import dev.dockhand.users.UsersFile;
import dev.dockhand.users.LoginCache;
import dev.dockhand.users.Role;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GateTest {
    static final String CCOMPAT = "/apis/ccompat/v7";
    static final String V2 = "/apis/registry/v2";
    static Map<String, Login> users;

    @BeforeAll
    static void users() throws Exception {
        users = UsersFile.parse(UsersFileTest.line("alice", "client", "alice-password") + "\n"
                + UsersFileTest.line("root", "admin", "root-password") + "\n", "users file F", Logins.NOBODY_COULD);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static final String ALICE = basic("alice", "alice-password");
    static final String ROOT = basic("root", "root-password");

    static final InetAddress HERE = InetAddress.getLoopbackAddress();

    /** A limiter that never limits these tests (each a few failures at most), on a clock that stands still. */
    static FailedLogins failed() {
        return new FailedLogins(16, 1000, FailedLogins.REFILL_NANOS, () -> 0L, line -> {});
    }

    static Gate gate(Gate.Mode mode) {
        return new Gate(users, mode, new LoginCache(16), failed());
    }

    @Test
    void readsStayAnonymousAndWritesNeedALogin() {
        Gate g = gate(Gate.Mode.WRITES);
        for (String method : new String[] {"GET", "HEAD", "OPTIONS"}) {
            assertEquals(new Verdict.Pass(null), g.check(method, CCOMPAT + "/subjects", null, HERE), method);
            // a read is not checked at all, not even a bad login on it
            assertEquals(new Verdict.Pass(null), g.check(method, CCOMPAT + "/subjects", basic("alice", "wrong-password"), HERE), method);
        }
        // any other method is a write, on any path, known or not, with any spelling of the method
        for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH", "PROPFIND", "get"}) {
            for (String path : new String[] {CCOMPAT + "/subjects/s/versions", V2 + "/admin/rules", "/apis/registry/v1/artifacts",
                    "/t/tenant/apis/ccompat/v7/config", "/no/such/path", "/"}) {
                Verdict v = g.check(method, path, null, HERE);
                assertEquals(new Verdict.Unauthenticated(
                        "Unauthorized: this registry needs a login (HTTP Basic) for every write (POST, PUT, PATCH, DELETE)"), v, method + " " + path);
            }
        }
    }

    @Test
    void inModeAllReadsNeedALoginTooExceptOptions() {
        Gate g = gate(Gate.Mode.ALL);
        assertEquals(new Verdict.Unauthenticated("Unauthorized: this registry needs a login (HTTP Basic) for every request"),
                g.check("GET", CCOMPAT + "/subjects", null, HERE));
        assertInstanceOf(Verdict.Unauthenticated.class, g.check("HEAD", CCOMPAT + "/subjects", basic("alice", "nope-nope"), HERE));
        assertEquals(new Verdict.Pass(users.get("alice")), g.check("GET", CCOMPAT + "/subjects", ALICE, HERE));
        assertEquals(new Verdict.Pass(users.get("alice")), g.check("GET", V2 + "/groups/default/artifacts", ALICE, HERE),
                "every role reads everything but the admin API");
        assertInstanceOf(Verdict.Forbidden.class, g.check("GET", V2 + "/admin/rules", ALICE, HERE));
        assertEquals(new Verdict.Pass(null), g.check("OPTIONS", CCOMPAT + "/subjects", null, HERE), "a browser's CORS preflight carries no login");
    }

    @Test
    void aWrongPasswordAnUnknownUserOrABadHeaderIsUnauthenticated() {
        Gate g = gate(Gate.Mode.WRITES);
        Verdict wrong = new Verdict.Unauthenticated("Unauthorized: unknown user or wrong password");
        String register = CCOMPAT + "/subjects/s/versions";
        assertEquals(wrong, g.check("POST", register, basic("alice", "root-password"), HERE));
        assertEquals(wrong, g.check("POST", register, basic("mallory", "alice-password"), HERE), "the same answer as a wrong password");
        assertEquals(wrong, g.check("POST", register, basic("Alice", "alice-password"), HERE), "names are case-sensitive");
        for (String header : new String[] {"Bearer abc", "Basic", "Basic !!!", "Digest " + ALICE.substring(6), "Basic "
                + Base64.getEncoder().encodeToString("alice".getBytes(StandardCharsets.UTF_8)), "Basic "
                + Base64.getEncoder().encodeToString(":alice-password".getBytes(StandardCharsets.UTF_8)), "Basic "
                + Base64.getEncoder().encodeToString("alice:".getBytes(StandardCharsets.UTF_8)), "Basic "
                + Base64.getEncoder().encodeToString(("alice:" + "x".repeat(Gate.MAX_PASSWORD + 1)).getBytes(StandardCharsets.UTF_8))}) {
            assertEquals(wrong, g.check("POST", register, header, HERE), header);
        }
        assertEquals(new Verdict.Pass(users.get("alice")), g.check("POST", register, "basic  " + ALICE.substring(6) + " ", HERE),
                "the scheme is case-insensitive, spaces around the credentials are not part of them");
    }

    @Test
    void basicHeadersAreDecodedAsUtf8AndSplitAtTheFirstColon() {
        assertArrayEquals(new String[] {"alice", "pa:ss:wörd"}, Gate.basic(basic("alice", "pa:ss:wörd")));
        assertNull(Gate.basic("Basic " + Base64.getEncoder().encodeToString(new byte[] {'a', ':', (byte) 0xff})));
    }

    @Test
    void theClientRoleRegistersAndChecksButNeitherDeletesNorChangesSettings() {
        Gate g = gate(Gate.Mode.WRITES);
        Login alice = users.get("alice");
        for (String write : new String[] {
                "POST " + CCOMPAT + "/subjects/orders-value/versions",
                "POST /apis/ccompat/v6/subjects/orders-value/versions",
                "POST " + CCOMPAT + "/subjects/orders-value",
                "POST " + CCOMPAT + "/compatibility/subjects/orders-value/versions",
                "POST " + CCOMPAT + "/compatibility/subjects/orders-value/versions/latest",
                "POST " + CCOMPAT + "/subjects/a%20b%3Ac/versions",
                "POST " + V2 + "/groups/default/artifacts",
                "POST " + V2 + "/groups/default/artifacts/orders/versions",
                "PUT " + V2 + "/groups/default/artifacts/orders",
                "PUT " + V2 + "/groups/default/artifacts/orders/test",
                "POST " + V2 + "/groups/default/artifacts/orders/meta",
                "POST " + V2 + "/search/artifacts"}) {
            String[] mp = write.split(" ");
            assertEquals(new Verdict.Pass(alice), g.check(mp[0], mp[1], ALICE, HERE), write);
        }
        for (String write : new String[] {
                "DELETE " + CCOMPAT + "/subjects/orders-value",
                "DELETE " + CCOMPAT + "/subjects/orders-value/versions/1",
                "PUT " + CCOMPAT + "/config",
                "PUT " + CCOMPAT + "/config/orders-value",
                "DELETE " + CCOMPAT + "/config/orders-value",
                "PUT " + CCOMPAT + "/mode",
                "PUT " + CCOMPAT + "/mode/orders-value",
                "POST " + CCOMPAT + "/exporters",
                "POST " + V2 + "/admin/rules",
                "PUT " + V2 + "/admin/rules/COMPATIBILITY",
                "POST " + V2 + "/admin/import",
                "POST " + V2 + "/admin/roleMappings",
                "PUT " + V2 + "/admin/config/properties/registry.ccompat.legacy-id-mode.enabled",
                "DELETE " + V2 + "/groups/default/artifacts/orders",
                "DELETE " + V2 + "/groups/default",
                "POST " + V2 + "/groups/default/artifacts/orders/rules",
                "PUT " + V2 + "/groups/default/artifacts/orders/meta",
                "PUT " + V2 + "/groups/default/artifacts/orders/state",
                "PUT " + V2 + "/groups/default/artifacts/orders/versions/1/state",
                "POST /apis/registry/v1/artifacts",
                "POST /apis/cncf/v0/schemagroups/g/schemas/s",
                // spellings the list does not know fall to the admin role
                "POST " + CCOMPAT + "/subjects/orders-value/versions/",
                "POST " + CCOMPAT + "//subjects/orders-value/versions",
                "POST " + CCOMPAT + "/subjects//versions",
                "POST " + CCOMPAT + "/subjects/orders-value/versions;x=1",
                "POST " + CCOMPAT + "/subjects/%2E%2E/versions",
                "POST " + CCOMPAT + "/subjects/a%2Fb/versions",
                "POST " + CCOMPAT + "/subjects/orders-value/vers%69ons",
                "POST /apis/ccompat/v8/subjects/orders-value/versions",
                "POST /t/tenant" + CCOMPAT + "/subjects/orders-value/versions",
                "PATCH " + CCOMPAT + "/subjects/orders-value/versions",
                "DELETE " + CCOMPAT + "/subjects/orders-value/versions"}) {
            String[] mp = write.split(" ");
            Verdict v = g.check(mp[0], mp[1], ALICE, HERE);
            assertInstanceOf(Verdict.Forbidden.class, v, write);
            Verdict.Forbidden f = (Verdict.Forbidden) v;
            assertSame(alice, f.user());
            assertTrue(f.message().startsWith("User is denied operation " + mp[0] + " on " + mp[1] + ": user alice has the client role"), f.message());
            assertEquals(new Verdict.Pass(users.get("root")), g.check(mp[0], mp[1], ROOT, HERE), "the admin role may: " + write);
        }
    }

    @Test
    void theAdminApiIsTheAdminsForReadsTooInBothModes() {
        for (Gate.Mode mode : Gate.Mode.values()) {
            Gate g = gate(mode);
            for (String path : new String[] {
                    V2 + "/admin/export",
                    V2 + "/admin/export?forBrowser=true",
                    V2 + "/admin/roleMappings",
                    V2 + "/admin/config/properties",
                    V2 + "/admin/loggers",
                    V2 + "/admin/rules",
                    V2 + "/admin",
                    V2 + "/admin/",
                    "/apis/registry/v3/admin/export",
                    "/t/tenant" + V2 + "/admin/export",
                    // spellings that Apicurio's router or RESTEasy may still take for the export
                    V2 + "//admin/export",
                    V2 + "/./admin/export",
                    V2 + "/groups/../admin/export",
                    V2 + "/groups/%2E%2E/admin/export",
                    V2 + "/%61dmin/export",
                    V2 + "/ADMIN/export",
                    V2 + "/admin;x=1/export",
                    "/apis/registry/v2%2Fadmin/export",
                    "/apis%2Fregistry%2Fv2%2Fadmin%2Fexport",
                    V2 + "/admin%5Cexport",
                    V2 + "/%zz/admin"}) {
                for (String method : new String[] {"GET", "HEAD"}) {
                    String what = mode + " " + method + " " + path;
                    assertEquals(new Verdict.Unauthenticated("Unauthorized: this registry needs a login (HTTP Basic) for its admin API (an admin login)"),
                            g.check(method, path, null, HERE), what);
                    Verdict client = g.check(method, path, ALICE, HERE);
                    assertInstanceOf(Verdict.Forbidden.class, client, what);
                    assertTrue(((Verdict.Forbidden) client).message().endsWith("needs the admin role"), what);
                    assertEquals(new Verdict.Pass(users.get("root")), g.check(method, path, ROOT, HERE), "the admin may: " + what);
                }
            }
            // a group or an artifact named admin is not the admin API; nor are the other APIs' settings reads
            for (String path : new String[] {V2 + "/groups/admin/artifacts", V2 + "/groups/default/artifacts/admin",
                    V2 + "/search/artifacts?name=admin", CCOMPAT + "/config", CCOMPAT + "/mode", CCOMPAT + "/subjects/admin/versions",
                    V2 + "/system/info"}) {
                Verdict v = g.check("GET", path, mode == Gate.Mode.ALL ? ALICE : null, HERE);
                assertInstanceOf(Verdict.Pass.class, v, mode + " " + path);
            }
        }
    }

    @Test
    void refusedLoginsAreLoggedAndLimitedPerSourceBeforeAnyHash() throws Exception {
        java.util.List<String> log = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
        LoginCache cache = new LoginCache(16);
        Gate g = new Gate(users, Gate.Mode.WRITES, cache, new FailedLogins(clock::get, log::add));
        String register = CCOMPAT + "/subjects/s/versions";
        InetAddress attacker = InetAddress.getByName("203.0.113.9");
        for (int i = 0; i < FailedLogins.BURST; i++) {
            assertInstanceOf(Verdict.Unauthenticated.class, g.check("POST", register, basic("alice", "guess-" + i), attacker));
        }
        assertEquals("login refused: user alice from 203.0.113.9: unknown user or wrong password", log.get(0));
        assertTrue(log.stream().noneMatch(l -> l.contains("guess-")), "never a password: " + log);
        assertEquals(new Verdict.TooMany(6, "Too many refused logins from this address: try again in 6 s"),
                g.check("POST", register, ALICE, attacker), "the right password too, from that source");
        assertEquals(0, cache.size(), "no hash was computed for it: nothing verified, nothing remembered");
        assertEquals(new Verdict.Pass(users.get("alice")), g.check("POST", register, ALICE, HERE), "another source is not locked out");
        assertEquals(new Verdict.Pass(null), g.check("GET", CCOMPAT + "/subjects", null, attacker), "anonymous reads are not limited");
        clock.addAndGet(FailedLogins.REFILL_NANOS);
        assertEquals(new Verdict.Pass(users.get("alice")), g.check("POST", register, ALICE, attacker), "one refill period later");

        g.check("POST", register, basic("x\r\n2026-01-01 INFO forged", "p"), HERE);
        assertEquals("login refused: user \"x\\x0d\\x0a2026-01-01 INFO forged\" (not a valid user name) from 127.0.0.1:"
                + " unknown user or wrong password", log.get(log.size() - 1));
    }

    @Test
    void aVerifiedLoginIsRememberedAndAFailedOneIsNot() {
        LoginCache cache = new LoginCache(16);
        Gate g = new Gate(users, Gate.Mode.WRITES, cache, failed());
        String register = CCOMPAT + "/subjects/s/versions";
        g.check("POST", register, basic("alice", "wrong-password"), HERE);
        g.check("POST", register, basic("mallory", "alice-password"), HERE);
        assertEquals(0, cache.size());
        g.check("POST", register, ALICE, HERE);
        g.check("POST", register, ALICE, HERE);
        assertEquals(1, cache.size());
        assertTrue(cache.verified(users.get("alice"), "alice-password"));
    }

    @Test
    void aRememberedLoginSkipsTheHash() {
        // a stored hash that "secret-password" does not match: only the cache can let it through,
        // which shows the gate asks the cache before it hashes
        Login stored = new Login("bob", Role.CLIENT, new byte[16], new byte[32], dev.dockhand.users.HashedUsers.ITERATIONS);
        LoginCache cache = new LoginCache(16);
        Gate g = new Gate(Map.of("bob", stored), Gate.Mode.WRITES, cache, failed());
        String register = CCOMPAT + "/subjects/s/versions";
        assertInstanceOf(Verdict.Unauthenticated.class, g.check("POST", register, basic("bob", "secret-password"), HERE));
        cache.remember(stored, "secret-password");
        assertEquals(new Verdict.Pass(stored), g.check("POST", register, basic("bob", "secret-password"), HERE));
        assertInstanceOf(Verdict.Unauthenticated.class, g.check("POST", register, basic("bob", "secret-passwore"), HERE));
    }
}
