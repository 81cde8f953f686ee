package dev.dockhand.users;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HashedUsersTest {
    @Test
    void theHashIsPbkdf2HmacSha256At100000Iterations() {
        // as computed by an independent implementation
        // (Python: hashlib.pbkdf2_hmac("sha256", b"password", b"salt", 100000, 32))
        byte[] expected = Base64.getDecoder().decode("A5Si7eMyyaE+uC6bJGMWBMMd+Xi04vD70sVJlE+deaU=");
        assertArrayEquals(expected, HashedUsers.hash("password", "salt".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void whatTheWriterWritesTheReaderReads() {
        byte[] salt = new byte[16];
        salt[3] = 7;
        String salt64 = Base64.getEncoder().encodeToString(salt);
        String hash64 = Base64.getEncoder().encodeToString(HashedUsers.hash("alice-password", salt));
        String text = HashedUsers.line(new StringBuilder("# header\n"), "alice", Role.ADMIN, salt64, hash64).toString();
        assertEquals("# header\nalice:admin:" + salt64 + ":" + hash64 + "\n", text);
        List<String> problems = new ArrayList<>();
        Map<String, Login> users = HashedUsers.parse(text, "F", problems);
        assertEquals(List.of(), problems);
        assertTrue(HashedUsers.verify(users.get("alice"), "alice-password"));
        assertFalse(HashedUsers.verify(users.get("alice"), "alice-passwore"));
        assertFalse(HashedUsers.verify(null, "alice-password"));
        assertEquals(Map.of("alice:" + salt64, hash64), HashedUsers.hashesBySalt(text));
    }

    @Test
    void aShortSaltIsNamed() {
        List<String> problems = new ArrayList<>();
        HashedUsers.parse("bob:client:" + Base64.getEncoder().encodeToString(new byte[4]) + ":"
                + Base64.getEncoder().encodeToString(new byte[32]) + "\n", "F", problems);
        assertEquals(List.of("F:1: the salt of bob has 4 bytes; it needs 8 or more"), problems);
    }

    @Test
    void rolesAreSpelledInLowerCase() {
        assertEquals(Role.ADMIN, Role.parse("admin"));
        assertEquals(Role.CLIENT, Role.parse("client"));
        assertNull(Role.parse("Admin"));
        assertEquals("client", Role.CLIENT.toString());
    }

    @Test
    void basicCredentialsAreSplitAtTheFirstColon() {
        String h = "Basic " + Base64.getEncoder().encodeToString("alice:pa:ss".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(new String[] {"alice", "pa:ss"}, BasicAuth.credentials(h));
        assertNull(BasicAuth.credentials("Bearer x"));
    }
}
