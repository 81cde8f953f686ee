package dev.dockhand.registry.auth;

import dev.dockhand.users.BasicAuth;
import dev.dockhand.users.FailedLogins;
import dev.dockhand.users.Login;
import dev.dockhand.users.LoginCache;
import dev.dockhand.users.Role;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Who may do what on a secured registry, decided from the request's method, path and
 * {@code Authorization} header alone (no JAX-RS here, so that every rule is a unit test):
 * <ul>
 *   <li>a write (any method but GET, HEAD and OPTIONS, on any path) needs an HTTP Basic login of a
 *       user of the users file; so does a read when {@link Mode#ALL};
 *   <li>the {@code client} role may make the writes {@link ClientWrites} lists, the {@code admin}
 *       role every write;
 *   <li>Apicurio's admin API ({@code /apis/registry/vN/admin/...}: the export of everything, role
 *       mappings, settings, loggers, global rules) is the {@code admin} role's for reads too, in both
 *       modes: an anonymous read or a client's is refused (401, 403);
 *   <li>a refused login is logged and limited per client address ({@link FailedLogins}, as in the
 *       console): past its burst, the source's logins are answered 429 before any hash.
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

        /** 429: too many refused logins from this source; {@code retryAfterSeconds} for {@code Retry-After}. */
        record TooMany(long retryAfterSeconds, String message) implements Verdict {}
    }

    /** Longer than any password the agent accepts: refused before it costs a hash. */
    static final int MAX_PASSWORD = BasicAuth.MAX_PASSWORD;

    private final Map<String, Login> users;
    private final Mode mode;
    private final LoginCache cache;
    private final FailedLogins failed;

    Gate(Map<String, Login> users, Mode mode, LoginCache cache, FailedLogins failed) {
        this.users = Map.copyOf(users);
        this.mode = mode;
        this.cache = cache;
        this.failed = failed;
    }

    Mode mode() {
        return mode;
    }

    /** How many users of each role, for the start's log line (no names). */
    String users() {
        long admins = users.values().stream().filter(u -> u.role() == Role.ADMIN).count();
        return users.size() + " users (" + admins + " admin, " + (users.size() - admins) + " client)";
    }

    /** The verdict for a request from {@code client} (null: unknown address). */
    Verdict check(String method, String rawPath, String authorization, InetAddress client) {
        boolean read = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
        boolean admin = adminApi(rawPath);
        if (method.equals("OPTIONS") || read && mode == Mode.WRITES && !admin) {
            return new Verdict.Pass(null);
        }
        if (authorization == null || authorization.isBlank()) {
            return new Verdict.Unauthenticated("Unauthorized: this registry needs a login (HTTP Basic) for "
                    + (admin && read ? "its admin API (an admin login)"
                    : mode == Mode.ALL ? "every request" : "every write (POST, PUT, PATCH, DELETE)"));
        }
        long wait = failed.retryAfterSeconds(client);
        if (wait > 0) {
            return new Verdict.TooMany(wait, "Too many refused logins from this address: try again in " + wait + " s");
        }
        String[] credentials = basic(authorization);
        Login user = credentials == null ? null : authenticate(credentials[0], credentials[1]);
        if (user == null) {
            failed.refused(client, credentials == null ? null : credentials[0],
                    credentials == null ? "not a Basic login with a name and a password" : "unknown user or wrong password");
            return new Verdict.Unauthenticated("Unauthorized: unknown user or wrong password");
        }
        if (admin && user.role() != Role.ADMIN) {
            return new Verdict.Forbidden(user, "User is denied operation " + method + " on " + rawPath + ": user " + user.name()
                    + " has the client role; Apicurio's admin API (export, import, role mappings, settings, rules, loggers) needs the admin role");
        }
        if (read || user.role() == Role.ADMIN || ClientWrites.allows(method, rawPath)) {
            return new Verdict.Pass(user);
        }
        return new Verdict.Forbidden(user, "User is denied operation " + method + " on " + rawPath + ": user " + user.name()
                + " has the client role, which may register schemas and check compatibility; deletes and settings need the admin role");
    }

    /** The user {@code name} when {@code password} is theirs, else null. */
    private Login authenticate(String name, String password) {
        Login user = users.get(name);
        return cache.check(user, password) ? user : null;
    }

    /**
     * Whether {@code rawPath} (still percent-encoded) addresses Apicurio's admin API, however it is
     * spelt: each segment percent-decoded (an encoded slash splits it), matrix parameters dropped,
     * empty and {@code .} segments dropped and {@code ..} resolved, then {@code apis/registry/vN/admin}
     * anywhere in it (any case; also under a tenant prefix). A group or artifact named {@code admin}
     * sits deeper ({@code .../groups/admin/...}) and is not matched. A path that does not decode is
     * treated as the admin API: Apicurio would not serve it to anyone, and a refusal costs nothing.
     */
    static boolean adminApi(String rawPath) {
        List<String> segments = new ArrayList<>();
        for (String raw : rawPath.split("/")) {
            int semi = raw.indexOf(';');
            String decoded;
            try {
                decoded = URLDecoder.decode((semi < 0 ? raw : raw.substring(0, semi)).replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return true;
            }
            for (String seg : decoded.split("[/\\\\]")) {
                int semi2 = seg.indexOf(';');
                seg = semi2 < 0 ? seg : seg.substring(0, semi2);
                if (seg.isEmpty() || seg.equals(".")) {
                    continue;
                }
                if (seg.equals("..")) {
                    if (!segments.isEmpty()) {
                        segments.remove(segments.size() - 1);
                    }
                    continue;
                }
                segments.add(seg.toLowerCase(Locale.ROOT));
            }
        }
        for (int i = 0; i + 3 < segments.size(); i++) {
            if (segments.get(i).equals("apis") && segments.get(i + 1).equals("registry")
                    && segments.get(i + 2).matches("v[0-9]+") && segments.get(i + 3).equals("admin")) {
                return true;
            }
        }
        return false;
    }

    /** {@code {name, password}} of a {@code Basic} header (RFC 7617, UTF-8), or null when it is not one. */
    static String[] basic(String authorization) {
        return BasicAuth.credentials(authorization);
    }
}
