package dev.dockhand.registry.auth;

import dev.dockhand.registry.auth.UsersFile.Login;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Logins verified lately, so that a client that registers many schemas pays for PBKDF2 (tens of ms
 * of CPU) once, not at every request. Bounded: the least recently used entry goes first.
 *
 * <p>An entry's key is an HMAC, under a key made at start and never stored, of the user's stored
 * salt and hash and the password given: a wrong password, or the same password against another
 * stored hash (the users file rewritten with a new password), is never a hit. Neither the password
 * nor anything a password can be checked against offline without that key is kept.
 */
final class LoginCache {
    private final int capacity;
    private final byte[] key = new byte[32];
    private final Map<String, Login> entries;

    LoginCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
        new SecureRandom().nextBytes(key);
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Login> eldest) {
                return size() > LoginCache.this.capacity;
            }
        };
    }

    /** Whether {@code password} was verified lately for {@code user} as it is stored now. */
    synchronized boolean verified(Login user, String password) {
        return user.equals(entries.get(keyOf(user, password)));
    }

    /** Remembers that {@code password} is {@code user}'s. */
    synchronized void remember(Login user, String password) {
        entries.put(keyOf(user, password), user);
    }

    synchronized int size() {
        return entries.size();
    }

    private String keyOf(Login user, String password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            // each part length-prefixed: no two different tuples make the same input
            for (byte[] part : new byte[][] {user.name().getBytes(StandardCharsets.UTF_8), user.salt(), user.hash(),
                    password.getBytes(StandardCharsets.UTF_8)}) {
                mac.update(ByteBuffer.allocate(4).putInt(part.length).array());
                mac.update(part);
            }
            return Base64.getEncoder().encodeToString(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
