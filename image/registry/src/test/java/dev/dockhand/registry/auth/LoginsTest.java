package dev.dockhand.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoginsTest {
    @Test
    void withoutAUsersFileNothingNeedsALogin() {
        assertNull(Logins.gate(Optional.empty(), Optional.empty()));
    }

    @Test
    void aModeWithoutAUsersFileOrAnUnknownModeStopsTheStart(@TempDir Path dir) throws Exception {
        assertEquals("dockhand.registry.auth=all is set but dockhand.registry.users-file is not: name the users file (a secured node's users.hashed)",
                assertThrows(IllegalStateException.class, () -> Logins.gate(Optional.empty(), Optional.of("all"))).getMessage());
        Path users = dir.resolve("users.hashed");
        Files.writeString(users, UsersFileTest.line("alice", "client", "alice-password") + "\n");
        Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-------"));
        assertEquals("dockhand.registry.auth=reads is not a mode: use writes (logins for writes only) or all",
                assertThrows(IllegalStateException.class, () -> Logins.gate(Optional.of(users.toString()), Optional.of("reads"))).getMessage());
        assertEquals(Gate.Mode.WRITES, Logins.gate(Optional.of(users.toString()), Optional.empty()).mode());
        assertEquals(Gate.Mode.ALL, Logins.gate(Optional.of(users.toString()), Optional.of(" all")).mode());
        assertEquals("1 users (0 admin, 1 client)", Logins.gate(Optional.of(users.toString()), Optional.empty()).users());
    }

    @Test
    void aBadUsersFileStopsTheStartNamingIt(@TempDir Path dir) throws Exception {
        Path users = dir.resolve("users.hashed");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Logins.gate(Optional.of(users.toString()), Optional.empty()));
        assertTrue(e.getMessage().startsWith("dockhand.registry.users-file: users file " + users + " does not exist"), e.getMessage());
        assertTrue(e.getMessage().endsWith("The registry does not start without its logins."), e.getMessage());
    }
}
