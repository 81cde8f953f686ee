package dev.dockhand.users;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * {@code users.hashed}: the users as the services that check logins over HTTP read them (the schema
 * registry's writes, the console). The agent writes it from the cluster's users file; the console and
 * the registry read it. One {@code name:role:salt:hash:iterations} line a user, the role {@code client}
 * or {@code admin}, salt and hash standard base64, the hash PBKDF2-HMAC-SHA256 of the password (32 bytes)
 * with {@code iterations} rounds (the agent writes {@link #ITERATIONS}, OWASP's figure for
 * PBKDF2-HMAC-SHA256); no password in it. A line of four fields ({@code name:role:salt:hash}, as agents
 * before the count was written wrote it) has {@link #LEGACY_ITERATIONS}: an older file still verifies.
 * {@code #} starts a comment line.
 */
public final class HashedUsers {
    /**
     * A user name, for every component that sees it: a letter or digit, then letters, digits, {@code .},
     * {@code _}, {@code -}; 1 to 64 characters (the agent's {@code security/Users} says why each character).
     */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** What the name rule says, for messages. */
    public static final String NAME_RULE = "a letter or digit, then letters, digits, '.', '_' or '-', 1 to 64 in all";
    /** What the agent writes: OWASP's Password Storage Cheat Sheet asks 600,000 for PBKDF2-HMAC-SHA256. */
    public static final int ITERATIONS = 600_000;
    /** A line without a count: what agents wrote before the count was part of the line. */
    public static final int LEGACY_ITERATIONS = 100_000;
    /**
     * The counts a line may carry: none weaker than what was ever written, none so large that one login
     * (or one guess) costs the server seconds of CPU.
     */
    public static final int MIN_ITERATIONS = LEGACY_ITERATIONS;
    public static final int MAX_ITERATIONS = 10_000_000;
    public static final int HASH_BYTES = 32;
    /** The shortest salt a line may carry; the agent writes 16 bytes. */
    public static final int MIN_SALT = 8;
    /** Hashed for an unknown user, so that an unknown name takes as long to refuse as a wrong password. */
    private static final byte[] DECOY_SALT = new byte[16];

    private HashedUsers() {}

    /** PBKDF2-HMAC-SHA256 of {@code password} with {@code salt}, {@link #ITERATIONS} rounds, {@link #HASH_BYTES} bytes. */
    public static byte[] hash(String password, byte[] salt) {
        return hash(password, salt, ITERATIONS);
    }

    /** PBKDF2-HMAC-SHA256 of {@code password} with {@code salt} and {@code iterations} rounds, {@link #HASH_BYTES} bytes. */
    public static byte[] hash(String password, byte[] salt, int iterations) {
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, HASH_BYTES * 8)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code password} hashes to {@code expected} with {@code iterations} rounds (compared in constant time). */
    public static boolean matches(String password, byte[] salt, int iterations, byte[] expected) {
        return MessageDigest.isEqual(hash(password, salt, iterations), expected);
    }

    /**
     * Whether {@code password} is {@code user}'s; for an unknown user (null) a hash is computed all the
     * same and the answer is no: the time tells nothing about who exists.
     */
    public static boolean verify(Login user, String password) {
        if (user == null) {
            hash(password, DECOY_SALT);
            return false;
        }
        return matches(password, user.salt(), user.iterations(), user.hash());
    }

    /** Appends the line of one user, salt and hash (of {@link #ITERATIONS} rounds) already base64. */
    public static StringBuilder line(StringBuilder sb, String name, Role role, String salt64, String hash64) {
        return sb.append(name).append(':').append(role).append(':').append(salt64).append(':').append(hash64)
                .append(':').append(ITERATIONS).append('\n');
    }

    /**
     * The hashes of {@link #ITERATIONS} rounds in an earlier file ({@code previous}, or null: none), by
     * {@code name:salt}; lines that are not users, and hashes of another count (an older file's), are passed
     * over. What a new render may take over rather than hash again: an older file is hashed anew once.
     */
    public static Map<String, String> hashesBySalt(String previous) {
        Map<String, String> known = new HashMap<>();
        if (previous != null) {
            for (String line : previous.split("\n")) {
                String[] f = line.split(":", -1);
                if (f.length == 5 && !line.startsWith("#") && f[4].equals(Integer.toString(ITERATIONS))) {
                    known.put(f[0] + ":" + f[2], f[3]);
                }
            }
        }
        return known;
    }

    /**
     * The users of {@code text}, by name, in file order; each problem goes to {@code problems}, naming
     * {@code where} and the line (never a salt or hash). A file with no user is the caller's to judge.
     */
    public static Map<String, Login> parse(String text, String where, List<String> problems) {
        Map<String, Login> users = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            String at = where + ":" + (i + 1) + ": ";
            String[] f = line.split(":", -1);
            if (f.length != 4 && f.length != 5) {
                problems.add(at + "not name:role:salt:hash:iterations (" + f.length + " fields)");
                continue;
            }
            String name = f[0];
            if (!NAME.matcher(name).matches()) {
                problems.add(at + "the user name must be " + NAME_RULE);
                continue;
            }
            Role role = Role.parse(f[1]);
            if (role == null) {
                problems.add(at + "user " + name + " has an unknown role (use client or admin)");
                continue;
            }
            byte[] salt = base64(f[2]);
            byte[] hash = base64(f[3]);
            if (salt == null || salt.length == 0) {
                problems.add(at + "the salt of " + name + " is not standard base64");
                continue;
            }
            if (salt.length < MIN_SALT) {
                problems.add(at + "the salt of " + name + " has " + salt.length + " bytes; it needs " + MIN_SALT + " or more");
                continue;
            }
            if (hash == null || hash.length != HASH_BYTES) {
                problems.add(at + "the hash of " + name + " is not " + HASH_BYTES + " bytes of standard base64");
                continue;
            }
            int iterations = LEGACY_ITERATIONS;
            if (f.length == 5) {
                iterations = f[4].matches("[0-9]{1,9}") ? Integer.parseInt(f[4]) : -1;
                if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
                    problems.add(at + "the iteration count of " + name + " is not a number from " + MIN_ITERATIONS + " to " + MAX_ITERATIONS);
                    continue;
                }
            }
            if (users.putIfAbsent(name, new Login(name, role, salt, hash, iterations)) != null) {
                problems.add(at + "user " + name + " is listed twice");
            }
        }
        return users;
    }

    private static byte[] base64(String s) {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
