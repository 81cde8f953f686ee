package dev.dockhand.users;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Logins verified lately, so that a client that logs in at every request (a registry client that
 * registers many schemas, a browser that reloads the console) pays for PBKDF2 (tens of ms of CPU)
 * once, not at every request. Bounded: the least recently used entry goes first; an entry may also
 * have an age after which the password is checked again. Failures are never remembered (the caller
 * remembers only what verified).
 *
 * <p>An entry's key is an HMAC, under a key made per cache and never stored, of the user's name,
 * stored salt and hash, and the password given: a wrong password, or the same password against another
 * stored hash (the users file rewritten with a new password), is never a hit. Neither the password nor
 * anything a password can be checked against offline without that key is kept.
 */
public final class LoginCache {
    private final int capacity;
    private final long maxAgeNanos;
    private final LongSupplier nanos;
    private final byte[] key = new byte[32];
    private final Map<String, Entry> entries;

    private record Entry(Login user, long at) {}

    /** Entries that stay until pushed out. */
    public LoginCache(int capacity) {
        this(capacity, Long.MAX_VALUE, () -> 0L);
    }

    /** Entries that count for {@code maxAgeNanos} after they were remembered, by {@code nanos}. */
    public LoginCache(int capacity, long maxAgeNanos, LongSupplier nanos) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
        this.maxAgeNanos = maxAgeNanos;
        this.nanos = nanos;
        new SecureRandom().nextBytes(key);
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > LoginCache.this.capacity;
            }
        };
    }

    /** Whether {@code password} was verified lately for {@code user} as it is stored now (null: no such user). */
    public synchronized boolean verified(Login user, String password) {
        if (user == null) {
            return false;
        }
        Entry e = entries.get(keyOf(user, password));
        return e != null && user.equals(e.user()) && nanos.getAsLong() - e.at() < maxAgeNanos;
    }

    /**
     * Whether {@code password} is {@code user}'s (null: no such user): from the cache when it was verified
     * lately, else by the stored hash (PBKDF2), remembered when it verifies.
     */
    public boolean check(Login user, String password) {
        if (verified(user, password)) {
            return true;
        }
        if (!HashedUsers.verify(user, password)) {
            return false;
        }
        remember(user, password);
        return true;
    }

    /** Remembers that {@code password} is {@code user}'s. */
    public synchronized void remember(Login user, String password) {
        entries.put(keyOf(user, password), new Entry(user, nanos.getAsLong()));
    }

    public synchronized int size() {
        return entries.size();
    }

    private String keyOf(Login user, String password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            // each part length-prefixed: no two different tuples make the same input
            for (byte[] part : new byte[][] {user.name().getBytes(StandardCharsets.UTF_8), user.salt(), user.hash(),
                    ByteBuffer.allocate(4).putInt(user.iterations()).array(), password.getBytes(StandardCharsets.UTF_8)}) {
                mac.update(ByteBuffer.allocate(4).putInt(part.length).array());
                mac.update(part);
            }
            return Base64.getEncoder().encodeToString(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
