package dev.dockhand.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginCacheTest {
    static Login login(String name, int salt, int hash) {
        byte[] s = new byte[16];
        s[0] = (byte) salt;
        byte[] h = new byte[32];
        h[0] = (byte) hash;
        return new Login(name, Role.CLIENT, s, h, HashedUsers.ITERATIONS);
    }

    @Test
    void anEntryIsForThatUserAsStoredAndThatPasswordOnly() {
        LoginCache cache = new LoginCache(8);
        Login alice = login("alice", 1, 1);
        assertFalse(cache.verified(alice, "alice-password"));
        cache.remember(alice, "alice-password");
        assertTrue(cache.verified(alice, "alice-password"));
        assertTrue(cache.verified(login("alice", 1, 1), "alice-password"), "the same stored user, read again");
        assertFalse(cache.verified(alice, "alice-passwore"));
        assertFalse(cache.verified(login("alice", 2, 1), "alice-password"), "a new salt: the password was changed");
        assertFalse(cache.verified(login("alice", 1, 2), "alice-password"), "a new hash: the password was changed");
        assertFalse(cache.verified(login("alicf", 1, 1), "alice-password"));
        // no two (name, password) splits make the same key
        cache.remember(login("ab", 1, 1), "c-password");
        assertFalse(cache.verified(login("a", 1, 1), "bc-password"));
    }

    @Test
    void itIsBoundedAndDropsTheLeastRecentlyUsed() {
        LoginCache cache = new LoginCache(2);
        Login a = login("a", 1, 1);
        Login b = login("b", 1, 1);
        Login c = login("c", 1, 1);
        cache.remember(a, "password-a");
        cache.remember(b, "password-b");
        assertTrue(cache.verified(a, "password-a")); // a is now the most recently used
        cache.remember(c, "password-c");
        assertEquals(2, cache.size());
        assertTrue(cache.verified(a, "password-a"));
        assertFalse(cache.verified(b, "password-b"));
        assertTrue(cache.verified(c, "password-c"));
        for (int i = 0; i < 100; i++) {
            cache.remember(login("u" + i, 1, 1), "password");
        }
        assertEquals(2, cache.size());
        assertThrows(IllegalArgumentException.class, () -> new LoginCache(0));
    }

    @Test
    void twoCachesDoNotShareKeys() {
        // the key of an entry depends on a secret made per cache (per process): a key seen in one
        // process's memory says nothing about a password elsewhere
        LoginCache one = new LoginCache(2);
        one.remember(login("a", 1, 1), "password-a");
        assertFalse(new LoginCache(2).verified(login("a", 1, 1), "password-a"));
    }

    @Test
    void anEntryWithAnAgeIsCheckedAgainAfterIt() {
        AtomicLong clock = new AtomicLong(1_000);
        LoginCache cache = new LoginCache(8, 100, clock::get);
        Login alice = login("alice", 1, 1);
        cache.remember(alice, "alice-password");
        clock.addAndGet(99);
        assertTrue(cache.verified(alice, "alice-password"));
        clock.addAndGet(1);
        assertFalse(cache.verified(alice, "alice-password"));
        cache.remember(alice, "alice-password");
        assertTrue(cache.verified(alice, "alice-password"), "remembered again, counted from then");
        assertFalse(cache.verified(null, "alice-password"), "no such user");
    }
}
