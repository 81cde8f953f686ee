package dev.dockhand.agent.console;

import dev.dockhand.agent.core.InputFiles;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.security.Users;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Who may read the console: HTTP Basic logins checked against the agent's {@code users.hashed}
 * ({@code name:role:salt:hash} lines, the hash PBKDF2-HMAC-SHA256 of the password, 100,000
 * iterations: see {@link Users#hashedFile()}). Any listed user may read the page; the console is
 * read-only, so a role gives no more than another.
 *
 * <p>A check costs a PBKDF2 computation (tens of milliseconds by design), and a browser sends its
 * login with every request (the page, its refresh every few seconds). So a login once verified is
 * remembered for {@link #REMEMBER_NANOS} (ten minutes), by a SHA-256 digest of the name, the password and the
 * user's stored salt and hash (never the password itself): another password, or the same password
 * after the users file changed, matches no entry. At most {@link #MAX_REMEMBERED} are kept, least
 * recently used out first. Failures are not remembered, and at most one PBKDF2 computation runs at a
 * time: a client that tries password after password ties up one of the request server's two workers
 * at most, never both, so {@code /readyz} and the page stay answered.
 *
 * <p>Nothing here logs, and no exception message carries a password or the header it came in.
 */
final class Logins {
    static final int MAX_REMEMBERED = 256;
    static final long REMEMBER_NANOS = TimeUnit.MINUTES.toNanos(10);
    /** How long a check waits for another one to finish before the client is asked to retry. */
    static final long CHECK_WAIT_MS = 1_000;
    private static final int MAX_HEADER = 1024;

    /** A logged-in user. */
    record User(String name, String role) {}

    /** The outcome of one request's credentials. */
    enum Outcome { OK, NONE, WRONG, BUSY }

    /** The outcome, and the user when {@link Outcome#OK}. */
    record Check(Outcome outcome, User user) {}

    private record Entry(String role, byte[] salt, byte[] hash) {}

    private final Map<String, Entry> users;
    private final LongSupplier nanos;
    private final int maxRemembered;
    private final Semaphore oneAtATime = new Semaphore(1);
    /** Digest (base64) -> user and when it was verified; access order, guarded by itself. */
    private final LinkedHashMap<String, Remembered> remembered = new LinkedHashMap<>(16, 0.75f, true);
    private final byte[] decoySalt = new byte[16];
    private final byte[] decoyHash;

    private record Remembered(User user, long at) {}

    private Logins(Map<String, Entry> users, LongSupplier nanos, int maxRemembered) {
        this.users = Map.copyOf(users);
        this.nanos = nanos;
        this.maxRemembered = maxRemembered;
        this.decoyHash = Users.hash("no such user", decoySalt);
    }

    /**
     * Reads {@code file} ({@code login.users}); every malformed line is named (file and line, never
     * its content past the name).
     *
     * @throws InvalidInputException when the file cannot be read, has a bad line, or lists no user
     */
    static Logins read(Path file, LongSupplier nanos) {
        return read(file, nanos, MAX_REMEMBERED);
    }

    /* test */ static Logins read(Path file, LongSupplier nanos, int maxRemembered) {
        String where = "console login users file " + file + " (key 'login.users')";
        String text;
        try {
            text = InputFiles.read(file, dev.dockhand.agent.security.Users.FILE_LIMIT);
        } catch (InputFiles.Refused e) {
            throw new InvalidInputException(where + " " + e.getMessage()
                    + (e.missing() ? "; the agent writes it on a secured node (users.hashed in its tls dir)" : ""));
        }
        List<String> problems = new ArrayList<>();
        Map<String, Entry> users = new HashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String at = where + ":" + (i + 1);
            String[] f = line.split(":", -1);
            if (f.length != 4 || f[0].isEmpty()) {
                problems.add(at + ": not name:role:salt:hash");
                continue;
            }
            if (!f[1].equals("client") && !f[1].equals("admin")) {
                problems.add(at + ": user " + f[0] + " has role '" + dev.dockhand.agent.core.Names.printable(f[1])
                        + "' (client or admin)");
                continue;
            }
            byte[] salt;
            byte[] hash;
            try {
                salt = Base64.getDecoder().decode(f[2]);
                hash = Base64.getDecoder().decode(f[3]);
            } catch (IllegalArgumentException e) {
                problems.add(at + ": the salt or hash of user " + f[0] + " is not base64");
                continue;
            }
            if (salt.length < 8 || hash.length != 32) {
                problems.add(at + ": user " + f[0] + " needs a salt of 8 bytes or more and a 32-byte PBKDF2-HMAC-SHA256 hash");
                continue;
            }
            if (users.put(f[0], new Entry(f[1], salt, hash)) != null) {
                problems.add(at + ": user " + f[0] + " is listed twice");
            }
        }
        if (problems.isEmpty() && users.isEmpty()) {
            problems.add(where + " lists no user: nobody could read the console");
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return new Logins(users, nanos, maxRemembered);
    }

    /**
     * Checks the value of a request's {@code Authorization} header (null: none). Blocks for the
     * PBKDF2 computation (on a request worker), at most one at a time.
     */
    Check check(String authorization) throws InterruptedException {
        if (authorization == null || authorization.length() > MAX_HEADER
                || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return new Check(Outcome.NONE, null);
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new Check(Outcome.WRONG, null);
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return new Check(Outcome.WRONG, null);
        }
        String name = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        Entry e = users.get(name);
        String key = digest(name, password, e);
        long now = nanos.getAsLong();
        synchronized (remembered) {
            Remembered r = remembered.get(key);
            if (r != null && now - r.at() < REMEMBER_NANOS) {
                return new Check(Outcome.OK, r.user());
            }
        }
        if (!oneAtATime.tryAcquire(CHECK_WAIT_MS, TimeUnit.MILLISECONDS)) {
            return new Check(Outcome.BUSY, null);
        }
        boolean ok;
        try {
            if (e == null) {
                // an unknown name costs the same as a known one: the time tells nothing about who exists
                Users.matches(password, decoySalt, decoyHash);
                ok = false;
            } else {
                ok = Users.matches(password, e.salt(), e.hash());
            }
        } finally {
            oneAtATime.release();
        }
        if (!ok) {
            return new Check(Outcome.WRONG, null);
        }
        User user = new User(name, e.role());
        synchronized (remembered) {
            remembered.put(key, new Remembered(user, now));
            if (remembered.size() > maxRemembered) {
                remembered.remove(remembered.keySet().iterator().next());
            }
        }
        return new Check(Outcome.OK, user);
    }

    /** Logins remembered now (for tests). */
    int remembered() {
        synchronized (remembered) {
            return remembered.size();
        }
    }

    private static String digest(String name, String password, Entry e) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(name.getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            d.update(password.getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            if (e != null) {
                d.update(e.salt());
                d.update(e.hash());
            }
            return Base64.getEncoder().encodeToString(d.digest());
        } catch (NoSuchAlgorithmException x) {
            throw new IllegalStateException(x);
        }
    }
}
