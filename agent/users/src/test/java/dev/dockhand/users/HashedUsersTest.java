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
    void theHashIsPbkdf2HmacSha256At600000IterationsAndAnOlderCountStillComputes() {
        // as computed by an independent implementation
        // (Python: hashlib.pbkdf2_hmac("sha256", b"password", b"salt", 600000, 32), and 100000)
        assertEquals(600_000, HashedUsers.ITERATIONS);
        byte[] salt = "salt".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(Base64.getDecoder().decode("Zpz+UkghFv2hqiy+QJsvVsjkVjdSt6KPbqq2FO4AUXg="), HashedUsers.hash("password", salt));
        assertArrayEquals(Base64.getDecoder().decode("A5Si7eMyyaE+uC6bJGMWBMMd+Xi04vD70sVJlE+deaU="), HashedUsers.hash("password", salt, 100_000));
    }

    @Test
    void aLineWithoutACountIsAnOlderAgentsAt100000AndStillVerifiesButIsNotTakenOver() {
        byte[] salt = new byte[16];
        String salt64 = Base64.getEncoder().encodeToString(salt);
        String old = "carol:client:" + salt64 + ":" + Base64.getEncoder().encodeToString(HashedUsers.hash("carol-password", salt, 100_000)) + "\n";
        List<String> problems = new ArrayList<>();
        Login carol = HashedUsers.parse(old, "F", problems).get("carol");
        assertEquals(List.of(), problems);
        assertEquals(100_000, carol.iterations());
        assertTrue(HashedUsers.verify(carol, "carol-password"));
        assertFalse(HashedUsers.verify(carol, "carol-passwore"));
        assertEquals(Map.of(), HashedUsers.hashesBySalt(old), "a render hashes it anew at 600,000 rather than carry it over");
    }

    @Test
    void aCountOutsideItsRangeIsNamed() {
        String prefix = "bob:client:" + Base64.getEncoder().encodeToString(new byte[16]) + ":" + Base64.getEncoder().encodeToString(new byte[32]) + ":";
        for (String count : new String[] {"99999", "10000001", "2147483648", "-1", "", "6e5", " 600000", "0x927c0"}) {
            List<String> problems = new ArrayList<>();
            HashedUsers.parse(prefix + count + "\n", "F", problems);
            assertEquals(List.of("F:1: the iteration count of bob is not a number from 100000 to 10000000"), problems, count);
        }
        List<String> problems = new ArrayList<>();
        assertEquals(1_000_000, HashedUsers.parse(prefix + "1000000\n", "F", problems).get("bob").iterations());
        assertEquals(List.of(), problems);
    }

    @Test
    void whatTheWriterWritesTheReaderReads() {
        byte[] salt = new byte[16];
        salt[3] = 7;
        String salt64 = Base64.getEncoder().encodeToString(salt);
        String hash64 = Base64.getEncoder().encodeToString(HashedUsers.hash("alice-password", salt));
        String text = HashedUsers.line(new StringBuilder("# header\n"), "alice", Role.ADMIN, salt64, hash64).toString();
        assertEquals("# header\nalice:admin:" + salt64 + ":" + hash64 + ":600000\n", text);
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
