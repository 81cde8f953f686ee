package dev.dockhand.connect.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.users.HashedUsers;
import dev.dockhand.users.LoginCache;
import dev.dockhand.users.Role;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.ws.rs.container.ContainerRequestContext;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.UriInfo;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoginFilterTest {
    final LoginFilter filter = new LoginFilter(new Gate(GateTest.users(), new LoginCache(16)));

    /** The response the filter aborted {@code method uri} with, or null when it let the request through. */
    Response run(String method, String uri, Map<String, String> headers) {
        AtomicReference<Response> aborted = new AtomicReference<>();
        UriInfo info = (UriInfo) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {UriInfo.class}, (p, m, a) -> {
            if (m.getName().equals("getRequestUri")) {
                return URI.create("https://connect-0.example:8083" + uri);
            }
            throw new UnsupportedOperationException(m.getName());
        });
        ContainerRequestContext ctx = (ContainerRequestContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ContainerRequestContext.class}, (p, m, a) -> switch (m.getName()) {
                    case "getMethod" -> method;
                    case "getUriInfo" -> info;
                    case "getHeaderString" -> headers.get((String) a[0]);
                    case "abortWith" -> {
                        aborted.set((Response) a[0]);
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        filter.filter(ctx);
        return aborted.get();
    }

    static Map<String, String> login(String user, String password) {
        return Map.of("Authorization", GateTest.basic(user, password));
    }

    @Test
    void anonymousChangeIs401WithChallengeInConnectsErrorShape() {
        Response r = run("POST", "/connectors", Map.of());
        assertEquals(401, r.getStatus());
        assertEquals(LoginFilter.REALM, r.getHeaderString("WWW-Authenticate"));
        assertTrue(String.valueOf(r.getEntity()).startsWith("{\"error_code\":401,\"message\":\""), String.valueOf(r.getEntity()));
    }

    @Test
    void wrongPasswordIs401AndTheBodyNeverHoldsIt() {
        Response r = run("GET", "/connectors", login("ops", "guessed-Pa55"));
        assertEquals(401, r.getStatus());
        assertFalse(String.valueOf(r.getEntity()).contains("guessed-Pa55"));
    }

    @Test
    void clientChangeIs403AdminChangeAndClientReadPass() {
        Response r = run("POST", "/connectors", login("app", GateTest.CLIENT_PASSWORD));
        assertEquals(403, r.getStatus());
        assertFalse(String.valueOf(r.getEntity()).contains(GateTest.CLIENT_PASSWORD));
        assertNull(run("POST", "/connectors", login("ops", GateTest.ADMIN_PASSWORD)));
        assertNull(run("GET", "/connectors?expand=status", login("app", GateTest.CLIENT_PASSWORD)));
        assertNull(run("GET", "/health", Map.of()));
    }

    @Test
    void signedTaskConfigsPassUnsignedAreAUsersRequest() {
        assertNull(run("POST", "/connectors/lines/tasks", Map.of(Gate.SIGNATURE_HEADER, "c2ln")));
        assertEquals(401, run("POST", "/connectors/lines/tasks", Map.of()).getStatus());
    }

    @Test
    void errorBodyEscapesJson() {
        assertEquals("a\\\"b\\\\c\\u000a", LoginFilter.json("a\"b\\c\n"));
    }

    // the extension's start: its users file

    static String hashedLine(String name, Role role, String password) {
        byte[] salt = ("salt-" + name + "-0123456").getBytes(StandardCharsets.UTF_8);
        return HashedUsers.line(new StringBuilder(), name, role, Base64.getEncoder().encodeToString(salt),
                Base64.getEncoder().encodeToString(HashedUsers.hash(password, salt))).toString();
    }

    @Test
    void configureReadsTheUsersFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("users.hashed");
        Files.writeString(f, "# users\n" + hashedLine("ops", Role.ADMIN, "pw-admin") + hashedLine("app", Role.CLIENT, "pw-client"));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        ConnectLogins ext = new ConnectLogins();
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ConnectLogins.USERS_FILE, f.toString());
        ext.configure(cfg);
        assertEquals("1", ext.version());
    }

    @Test
    void aMissingUnsetOpenOrMalformedUsersFileStopsTheStart(@TempDir Path dir) throws Exception {
        ConnectLogins ext = new ConnectLogins();
        ConfigException unset = assertThrows(ConfigException.class, () -> ext.configure(Map.of()));
        assertTrue(unset.getMessage().contains(ConnectLogins.USERS_FILE), unset.getMessage());

        Path missing = dir.resolve("nope");
        ConfigException e = assertThrows(ConfigException.class, () -> ext.configure(Map.of(ConnectLogins.USERS_FILE, missing.toString())));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());

        Path open = dir.resolve("open");
        Files.writeString(open, hashedLine("ops", Role.ADMIN, "pw-admin"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        e = assertThrows(ConfigException.class, () -> ext.configure(Map.of(ConnectLogins.USERS_FILE, open.toString())));
        assertTrue(e.getMessage().contains("any user of the node"), e.getMessage());

        Path bad = dir.resolve("bad");
        String line = hashedLine("ops", Role.ADMIN, "pw-admin");
        Files.writeString(bad, line.replace(":admin:", ":root:"));
        Files.setPosixFilePermissions(bad, PosixFilePermissions.fromString("rw-------"));
        e = assertThrows(ConfigException.class, () -> ext.configure(Map.of(ConnectLogins.USERS_FILE, bad.toString())));
        assertTrue(e.getMessage().contains(":1:") && e.getMessage().contains("unknown role"), e.getMessage());
        // never the salt or hash of the line
        assertFalse(e.getMessage().contains(line.split(":")[3].strip()), e.getMessage());

        Path empty = dir.resolve("empty");
        Files.writeString(empty, "# nobody\n");
        Files.setPosixFilePermissions(empty, PosixFilePermissions.fromString("rw-------"));
        e = assertThrows(ConfigException.class, () -> ext.configure(Map.of(ConnectLogins.USERS_FILE, empty.toString())));
        assertTrue(e.getMessage().contains("lists no user"), e.getMessage());
    }
}
