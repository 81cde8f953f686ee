package dev.dockhand.agent.console;

import dev.dockhand.agent.core.InputFiles;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.security.Users;
import dev.dockhand.users.BasicAuth;
import dev.dockhand.users.FailedLogins;
import dev.dockhand.users.HashedUsers;
import dev.dockhand.users.Login;
import dev.dockhand.users.LoginCache;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Who may read the console: HTTP Basic logins checked against the agent's {@code users.hashed}
 * (read as {@link HashedUsers} defines it for the registry too; written by {@link Users#hashedFile()}).
 * Any listed user may read the page; the console is read-only, so a role gives no more than another.
 *
 * <p>A check costs a PBKDF2 computation (tens of milliseconds by design), and a browser sends its
 * login with every request (the page, its refresh every few seconds). So a login once verified is
 * remembered for {@link #REMEMBER_NANOS} (ten minutes) in a {@link LoginCache} (never the password
 * itself): another password, or the same password after the users file changed, matches no entry. At
 * most {@link #MAX_REMEMBERED} are kept, least recently used out first. Failures are not remembered,
 * and at most one PBKDF2 computation runs at a time: a client that tries password after password ties
 * up one of the request server's two workers at most, never both, so {@code /readyz} and the page stay
 * answered.
 *
 * <p>A refused login is logged (user name escaped, client address; never the password) and limited per
 * client address by {@link FailedLogins}, as in the schema registry: past its burst, a source's logins
 * are answered 429 with {@code Retry-After} before any hash. No exception message carries a password or
 * the header it came in.
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
    enum Outcome { OK, NONE, WRONG, BUSY, LIMITED }

    /** The outcome, the user when {@link Outcome#OK}, the seconds to wait when {@link Outcome#LIMITED}. */
    record Check(Outcome outcome, User user, long retryAfterSeconds) {
        Check(Outcome outcome, User user) {
            this(outcome, user, 0);
        }
    }

    private final Map<String, Login> users;
    private final LoginCache remembered;
    private final Semaphore oneAtATime = new Semaphore(1);
    private final FailedLogins failed;

    private Logins(Map<String, Login> users, LongSupplier nanos, int maxRemembered, Consumer<String> log) {
        this.users = Map.copyOf(users);
        this.remembered = new LoginCache(maxRemembered, REMEMBER_NANOS, nanos);
        this.failed = new FailedLogins(nanos, line -> log.accept("console: " + line));
    }

    /**
     * Reads {@code file} ({@code login.users}); every malformed line is named (file and line, never
     * its content past the name).
     *
     * @throws InvalidInputException when the file cannot be read, has a bad line, or lists no user
     */
    static Logins read(Path file, LongSupplier nanos) {
        return read(file, nanos, MAX_REMEMBERED, System.err::println);
    }

    /* test */ static Logins read(Path file, LongSupplier nanos, int maxRemembered, Consumer<String> log) {
        String where = "console login users file " + file + " (key 'login.users')";
        String text;
        try {
            text = InputFiles.read(file, dev.dockhand.agent.security.Users.FILE_LIMIT);
        } catch (InputFiles.Refused e) {
            throw new InvalidInputException(where + " " + e.getMessage()
                    + (e.missing() ? "; the agent writes it on a secured node (users.hashed in its tls dir)" : ""));
        }
        List<String> problems = new ArrayList<>();
        Map<String, Login> users = HashedUsers.parse(text, where, problems);
        if (problems.isEmpty() && users.isEmpty()) {
            problems.add(where + " lists no user: nobody could read the console");
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return new Logins(users, nanos, maxRemembered, log);
    }

    /**
     * Checks the value of a request's {@code Authorization} header (null: none) from {@code client}
     * (null: unknown). Blocks for the PBKDF2 computation (on a request worker), at most one at a time.
     */
    Check check(String authorization, InetAddress client) throws InterruptedException {
        if (authorization == null || authorization.length() > MAX_HEADER
                || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            // no login at all (a browser's first request): not a failure
            return new Check(Outcome.NONE, null);
        }
        long wait = failed.retryAfterSeconds(client);
        if (wait > 0) {
            return new Check(Outcome.LIMITED, null, wait);
        }
        String[] credentials = BasicAuth.credentials(authorization);
        if (credentials == null) {
            failed.refused(client, null, "not a Basic login with a name and a password");
            return new Check(Outcome.WRONG, null);
        }
        Login login = users.get(credentials[0]);
        String password = credentials[1];
        if (remembered.verified(login, password)) {
            return new Check(Outcome.OK, new User(login.name(), login.role().toString()));
        }
        if (!oneAtATime.tryAcquire(CHECK_WAIT_MS, TimeUnit.MILLISECONDS)) {
            return new Check(Outcome.BUSY, null);
        }
        boolean ok;
        try {
            ok = HashedUsers.verify(login, password);
        } finally {
            oneAtATime.release();
        }
        if (!ok) {
            failed.refused(client, credentials[0], "unknown user or wrong password");
            return new Check(Outcome.WRONG, null);
        }
        remembered.remember(login, password);
        return new Check(Outcome.OK, new User(login.name(), login.role().toString()));
    }

    /** Logins remembered now (for tests). */
    int remembered() {
        return remembered.size();
    }
}
