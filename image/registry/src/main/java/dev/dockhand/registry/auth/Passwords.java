package dev.dockhand.registry.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The password hash of {@code users.hashed}, as the agent computes it when it writes the file
 * ({@code dev.dockhand.agent.security.Users}): PBKDF2-HMAC-SHA256, 100,000 iterations, 32 bytes.
 * A copy of those few lines rather than a dependency on the agent's jar, which the registry does not
 * ship; both must change together.
 */
final class Passwords {
    static final int ITERATIONS = 100_000;
    static final int HASH_BYTES = 32;

    private Passwords() {}

    static byte[] hash(String password, byte[] salt) {
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(password.toCharArray(), salt, ITERATIONS, HASH_BYTES * 8)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code password} hashes to {@code expected} (compared in constant time). */
    static boolean matches(String password, byte[] salt, byte[] expected) {
        return MessageDigest.isEqual(hash(password, salt), expected);
    }
}
