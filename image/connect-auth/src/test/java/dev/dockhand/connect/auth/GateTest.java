package dev.dockhand.connect.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.users.HashedUsers;
import dev.dockhand.users.Login;
import dev.dockhand.users.LoginCache;
import dev.dockhand.users.Role;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GateTest {
    static final String ADMIN_PASSWORD = "admin-secret-1";
    static final String CLIENT_PASSWORD = "client-secret-1";

    static Map<String, Login> users() {
        Map<String, Login> users = new LinkedHashMap<>();
        byte[] salt1 = "salt-of-ops-0001".getBytes(StandardCharsets.UTF_8);
        byte[] salt2 = "salt-of-app-0001".getBytes(StandardCharsets.UTF_8);
        // an older file's count, which still verifies: these tests hash a few dozen times
        int rounds = HashedUsers.LEGACY_ITERATIONS;
        users.put("ops", new Login("ops", Role.ADMIN, salt1, HashedUsers.hash(ADMIN_PASSWORD, salt1, rounds), rounds));
        users.put("app", new Login("app", Role.CLIENT, salt2, HashedUsers.hash(CLIENT_PASSWORD, salt2, rounds), rounds));
        return users;
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    final Gate gate = new Gate(users(), new LoginCache(16));

    @ParameterizedTest(name = "{0} {1} as {2}: {3}")
    @CsvSource({
            // method, path, user (- for none), outcome
            "GET, /health, -, pass",
            "GET, /, -, 401",
            "GET, /connectors, -, 401",
            "POST, /connectors, -, 401",
            "DELETE, /connectors/lines, -, 401",
            "GET, /, app, pass",
            "GET, /connectors, app, pass",
            "GET, /connectors/lines/status, app, pass",
            "HEAD, /connectors, app, pass",
            "GET, /connector-plugins, app, pass",
            "POST, /connectors, app, 403",
            "PUT, /connectors/lines/config, app, 403",
            "PUT, /connector-plugins/FileStreamSource/config/validate, app, 403",
            "PUT, /connectors/lines/pause, app, 403",
            "PUT, /connectors/lines/resume, app, 403",
            "PUT, /connectors/lines/stop, app, 403",
            "POST, /connectors/lines/restart, app, 403",
            "POST, /connectors/lines/tasks/0/restart, app, 403",
            "DELETE, /connectors/lines, app, 403",
            "DELETE, /connectors/lines/offsets, app, 403",
            "PUT, /admin/loggers/org.apache.kafka, app, 403",
            "OPTIONS, /connectors, app, 403",
            "POST, /connectors, ops, pass",
            "PUT, /connectors/lines/config, ops, pass",
            "DELETE, /connectors/lines, ops, pass",
            "PUT, /admin/loggers/org.apache.kafka, ops, pass",
            "GET, /connectors, ops, pass",
    })
    void roleToMethod(String method, String path, String user, String outcome) {
        String auth = user.equals("-") ? null : basic(user, user.equals("ops") ? ADMIN_PASSWORD : CLIENT_PASSWORD);
        Gate.Verdict v = gate.check(method, path, auth, false);
        switch (outcome) {
            case "pass" -> assertInstanceOf(Gate.Verdict.Pass.class, v);
            case "401" -> assertInstanceOf(Gate.Verdict.Unauthenticated.class, v);
            case "403" -> assertInstanceOf(Gate.Verdict.Forbidden.class, v);
            default -> throw new IllegalArgumentException(outcome);
        }
    }

    @Test
    void wrongPasswordUnknownUserAndBadHeadersAre401() {
        for (String h : new String[] {basic("ops", "Wr0ngPass"), basic("nobody", ADMIN_PASSWORD), basic("ops", ""), "Basic !!!notbase64",
                "Bearer abc", "Basic " + Base64.getEncoder().encodeToString("ops".getBytes(StandardCharsets.UTF_8)), " ",
                basic("ops", "x".repeat(2000))}) {
            Gate.Verdict v = gate.check("GET", "/connectors", h, false);
            Gate.Verdict.Unauthenticated u = assertInstanceOf(Gate.Verdict.Unauthenticated.class, v, h);
            assertFalse(u.message().contains(ADMIN_PASSWORD) || u.message().contains("Wr0ngPass"), u.message());
        }
    }

    @Test
    void forbiddenMessageNamesUserRoleAndNeverThePassword() {
        Gate.Verdict.Forbidden f = assertInstanceOf(Gate.Verdict.Forbidden.class,
                gate.check("POST", "/connectors", basic("app", CLIENT_PASSWORD), false));
        assertTrue(f.message().contains("app") && f.message().contains("client") && f.message().contains("admin"), f.message());
        assertFalse(f.message().contains(CLIENT_PASSWORD));
    }

    @Test
    void aCachedLoginStillNeedsTheRightPassword() {
        assertInstanceOf(Gate.Verdict.Pass.class, gate.check("GET", "/connectors", basic("ops", ADMIN_PASSWORD), false));
        assertInstanceOf(Gate.Verdict.Pass.class, gate.check("GET", "/connectors", basic("ops", ADMIN_PASSWORD), false));
        assertInstanceOf(Gate.Verdict.Unauthenticated.class, gate.check("GET", "/connectors", basic("ops", ADMIN_PASSWORD + "x"), false));
    }

    @Test
    void workersOwnSignedRequestsPassOnlyOnTheirTwoPaths() {
        // the worker verifies the signature itself; without the header the request is a user's
        assertInstanceOf(Gate.Verdict.Pass.class, gate.check("POST", "/connectors/lines/tasks", null, true));
        assertInstanceOf(Gate.Verdict.Pass.class, gate.check("PUT", "/connectors/lines/fence", null, true));
        assertInstanceOf(Gate.Verdict.Unauthenticated.class, gate.check("POST", "/connectors/lines/tasks", null, false));
        assertInstanceOf(Gate.Verdict.Unauthenticated.class, gate.check("POST", "/connectors", null, true));
        assertInstanceOf(Gate.Verdict.Unauthenticated.class, gate.check("DELETE", "/connectors/lines", null, true));
        assertInstanceOf(Gate.Verdict.Unauthenticated.class, gate.check("GET", "/connectors/lines/tasks", null, true));
        assertInstanceOf(Gate.Verdict.Unauthenticated.class, gate.check("POST", "/connectors/lines/tasks/0/restart", null, true));
        // an encoded slash keeps the name one segment: not the tasks path
        assertInstanceOf(Gate.Verdict.Unauthenticated.class, gate.check("POST", "/connectors/a%2Ftasks", null, true));
        assertInstanceOf(Gate.Verdict.Unauthenticated.class, gate.check("POST", "/connectors/x/tasks/../../connectors", null, true));
    }

    @Test
    void healthIsOpenForGetOnly() {
        assertInstanceOf(Gate.Verdict.Pass.class, gate.check("GET", "/health", null, false));
        assertInstanceOf(Gate.Verdict.Unauthenticated.class, gate.check("POST", "/health", null, false));
        assertInstanceOf(Gate.Verdict.Unauthenticated.class, gate.check("GET", "/healthz", null, false));
        assertEquals("2 users (1 admin, 1 client)", gate.users());
    }
}
