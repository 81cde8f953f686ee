package dev.dockhand.registry.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.users.HashedUsers;
import dev.dockhand.users.Login;
import dev.dockhand.users.UsersFile;
import dev.dockhand.users.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsersFileTest {
    static final String SALT = Base64.getEncoder().encodeToString(new byte[16]);
    static final String HASH = Base64.getEncoder().encodeToString(new byte[32]);

    /** A users.hashed line as the agent writes it. */
    static String line(String name, String role, String password) {
        byte[] salt = new byte[16];
        salt[0] = (byte) name.hashCode();
        return name + ":" + role + ":" + Base64.getEncoder().encodeToString(salt) + ":"
                + Base64.getEncoder().encodeToString(HashedUsers.hash(password, salt)) + ":" + HashedUsers.ITERATIONS;
    }

    @Test
    void readsTheAgentsLinesSkippingCommentsAndBlankLines() throws Exception {
        String text = "# rendered by the dockhand agent from the cluster's users file: no password in it\n"
                + line("alice", "client", "alice-password") + "\r\n\n  # a comment\n" + line("ops.admin-1", "admin", "ops-password") + "\n";
        Map<String, Login> users = UsersFile.parse(text, "users file F", Logins.NOBODY_COULD);
        assertEquals(java.util.List.of("alice", "ops.admin-1"), java.util.List.copyOf(users.keySet()));
        assertEquals(Role.CLIENT, users.get("alice").role());
        assertEquals(Role.ADMIN, users.get("ops.admin-1").role());
        Login alice = users.get("alice");
        assertTrue(HashedUsers.verify(alice, "alice-password"));
        assertFalse(HashedUsers.verify(alice, "alice-passwort"));
        assertFalse(alice.toString().contains(Base64.getEncoder().encodeToString(alice.hash())), "no hash in logs: " + alice);
    }

    @Test
    void everyBadLineIsNamedWithItsFileAndLineNumber() {
        String text = String.join("\n",
                "# header",
                "alice:client:" + SALT,                          // 2: three fields
                "bob:superuser:" + SALT + ":" + HASH,            // 3: unknown role
                "carol:Admin:" + SALT + ":" + HASH,              // 4: roles are lower case
                "dave:client:not base64!:" + HASH,               // 5: salt
                "erin:client:" + SALT + ":" + SALT,              // 6: 16 bytes, not a 32-byte hash
                "fr@nk:client:" + SALT + ":" + HASH,             // 7: name
                "gina:client::" + HASH,                          // 8: empty salt
                "hank:admin:" + SALT + ":" + HASH,
                "hank:client:" + SALT + ":" + HASH,              // 10: twice
                "ivan:client:" + SALT + ":" + HASH + ":extra",   // 11: a count that is not one
                "jo:client:" + SALT + ":" + HASH + ":600000:x"); // 12: six fields
        UsersFile.Invalid e = assertThrows(UsersFile.Invalid.class, () -> UsersFile.parse(text, "users file /x/users.hashed", Logins.NOBODY_COULD));
        String m = e.getMessage();
        for (String expected : new String[] {
                "users file /x/users.hashed:2: not name:role:salt:hash:iterations (3 fields)",
                "users file /x/users.hashed:3: user bob has an unknown role (use client or admin)",
                "users file /x/users.hashed:4: user carol has an unknown role",
                "users file /x/users.hashed:5: the salt of dave is not standard base64",
                "users file /x/users.hashed:6: the hash of erin is not 32 bytes of standard base64",
                "users file /x/users.hashed:7: the user name must be",
                "users file /x/users.hashed:8: the salt of gina is not standard base64",
                "users file /x/users.hashed:10: user hank is listed twice",
                "users file /x/users.hashed:11: the iteration count of ivan is not a number from 100000 to 10000000",
                "users file /x/users.hashed:12: not name:role:salt:hash:iterations (6 fields)"}) {
            assertTrue(m.contains(expected), "missing '" + expected + "' in:\n" + m);
        }
        assertEquals(10, m.lines().count(), m);
    }

    @Test
    void aFileWithNoUserIsRefused() {
        UsersFile.Invalid e = assertThrows(UsersFile.Invalid.class, () -> UsersFile.parse("# nobody\n\n", "users file F", Logins.NOBODY_COULD));
        assertEquals("users file F lists no user: nobody could write to this registry", e.getMessage());
    }

    @Test
    void aMissingUnreadableOrOpenFileIsRefusedByName(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("users.hashed");
        assertEquals("users file " + missing + " does not exist; on a secured node the agent writes it before it starts the registry",
                assertThrows(UsersFile.Invalid.class, () -> UsersFile.read(missing, "registry", Logins.NOBODY_COULD)).getMessage());
        assertTrue(assertThrows(UsersFile.Invalid.class, () -> UsersFile.read(dir, "registry", Logins.NOBODY_COULD)).getMessage()
                .startsWith("users file " + dir + " is not a regular file"));

        Path open = dir.resolve("open.hashed");
        Files.writeString(open, line("alice", "client", "alice-password") + "\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals("users file " + open + " may be read or written by any user of the node (mode rw-r--r--); the agent writes it 0600",
                assertThrows(UsersFile.Invalid.class, () -> UsersFile.read(open, "registry", Logins.NOBODY_COULD)).getMessage());

        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-------"));
        assertEquals(1, UsersFile.read(open, "registry", Logins.NOBODY_COULD).size());

        Path binary = dir.resolve("binary.hashed");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 'a'});
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rw-------"));
        assertEquals("users file " + binary + " is not UTF-8 text", assertThrows(UsersFile.Invalid.class, () -> UsersFile.read(binary, "registry", Logins.NOBODY_COULD)).getMessage());
    }

    @Test
    void theHashIsTheAgents() {
        // PBKDF2-HMAC-SHA256, 600,000 iterations, 32 bytes, as computed by an independent
        // implementation (Python: hashlib.pbkdf2_hmac("sha256", b"password", b"salt", 600000, 32))
        byte[] expected = Base64.getDecoder().decode("Zpz+UkghFv2hqiy+QJsvVsjkVjdSt6KPbqq2FO4AUXg=");
        assertArrayEquals(expected, HashedUsers.hash("password", "salt".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }
}
