package dev.dockhand.registry.auth;

import dev.dockhand.users.BasicAuth;
import dev.dockhand.users.HashedUsers;
import dev.dockhand.users.Login;
import dev.dockhand.users.LoginCache;
import dev.dockhand.users.Role;
import java.util.Locale;
import java.util.Map;

/**
 * Who may do what on a secured registry, decided from the request's method, path and
 * {@code Authorization} header alone (no JAX-RS here, so that every rule is a unit test):
 * <ul>
 *   <li>a write (any method but GET, HEAD and OPTIONS, on any path) needs an HTTP Basic login of a
 *       user of the users file; so does a read when {@link Mode#ALL};
 *   <li>the {@code client} role may make the writes {@link ClientWrites} lists, the {@code admin}
 *       role every write.
 * </ul>
 */
final class Gate {
    /** What needs a login. */
    enum Mode {
        /** every write; reads stay anonymous */
        WRITES,
        /** every request (OPTIONS excepted: a browser's CORS preflight never carries a login) */
        ALL;

        static Mode parse(String s) {
            for (Mode m : values()) {
                if (m.name().toLowerCase(Locale.ROOT).equals(s)) {
                    return m;
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The outcome for one request. */
    sealed interface Verdict {
        /** Go on; {@code user} is null for an anonymous read. */
        record Pass(Login user) implements Verdict {}

        /** 401: no login, or one that does not verify. */
        record Unauthenticated(String message) implements Verdict {}

        /** 403: a user whose role may not do this. */
        record Forbidden(Login user, String message) implements Verdict {}
    }

    /** Longer than any password the agent accepts: refused before it costs a hash. */
    static final int MAX_PASSWORD = BasicAuth.MAX_PASSWORD;

    private final Map<String, Login> users;
    private final Mode mode;
    private final LoginCache cache;

    Gate(Map<String, Login> users, Mode mode, LoginCache cache) {
        this.users = Map.copyOf(users);
        this.mode = mode;
        this.cache = cache;
    }

    Mode mode() {
        return mode;
    }

    /** How many users of each role, for the start's log line (no names). */
    String users() {
        long admins = users.values().stream().filter(u -> u.role() == Role.ADMIN).count();
        return users.size() + " users (" + admins + " admin, " + (users.size() - admins) + " client)";
    }

    Verdict check(String method, String rawPath, String authorization) {
        boolean read = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
        if (method.equals("OPTIONS") || read && mode == Mode.WRITES) {
            return new Verdict.Pass(null);
        }
        if (authorization == null || authorization.isBlank()) {
            return new Verdict.Unauthenticated("Unauthorized: this registry needs a login (HTTP Basic) for "
                    + (mode == Mode.ALL ? "every request" : "every write (POST, PUT, PATCH, DELETE)"));
        }
        Login user = authenticate(authorization);
        if (user == null) {
            return new Verdict.Unauthenticated("Unauthorized: unknown user or wrong password");
        }
        if (read || user.role() == Role.ADMIN || ClientWrites.allows(method, rawPath)) {
            return new Verdict.Pass(user);
        }
        return new Verdict.Forbidden(user, "User is denied operation " + method + " on " + rawPath + ": user " + user.name()
                + " has the client role, which may register schemas and check compatibility; deletes and settings need the admin role");
    }

    /** The user whose login {@code authorization} is, or null. */
    private Login authenticate(String authorization) {
        String[] credentials = basic(authorization);
        if (credentials == null) {
            return null;
        }
        String password = credentials[1];
        Login user = users.get(credentials[0]);
        if (cache.verified(user, password)) {
            return user;
        }
        if (!HashedUsers.verify(user, password)) {
            return null;
        }
        cache.remember(user, password);
        return user;
    }

    /** {@code {name, password}} of a {@code Basic} header (RFC 7617, UTF-8), or null when it is not one. */
    static String[] basic(String authorization) {
        return BasicAuth.credentials(authorization);
    }
}
