package dev.dockhand.connect.auth;

import dev.dockhand.users.BasicAuth;
import dev.dockhand.users.Login;
import dev.dockhand.users.LoginCache;
import dev.dockhand.users.Role;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Who may do what on a secured node's Connect worker, decided from the request's method, raw path and
 * headers alone (no JAX-RS here, so that every rule is a unit test; ADR 023):
 * <ul>
 *   <li>{@code GET /health} is open: the agent's readiness probe, which says only whether the worker is up;
 *   <li>a read ({@code GET}, {@code HEAD}) needs a login of any user of the users file ({@code client} or
 *       {@code admin});
 *   <li>every other method (a connector made, changed, paused, resumed, restarted or deleted, a logger's
 *       level set) needs an {@code admin} login;
 *   <li>the two requests one worker sends another, {@code POST /connectors/NAME/tasks} (a follower's task
 *       configs to the leader) and {@code PUT /connectors/NAME/fence} (exactly-once source), pass without
 *       a login when they carry Kafka's request signature header: the worker then verifies the signature
 *       itself with the session key the group shares through its config topic, and refuses a request with
 *       a missing or wrong one ({@code inter.worker.key.*}). A request forwarded to the leader on a user's
 *       behalf carries the user's own {@code Authorization} header (Kafka's RestClient copies it) and is
 *       checked again there.
 * </ul>
 */
final class Gate {
    /** The outcome for one request. */
    sealed interface Verdict {
        /** Go on; {@code user} is null for a request that needs no login. */
        record Pass(Login user) implements Verdict {}

        /** 401: no login, or one that does not verify. */
        record Unauthenticated(String message) implements Verdict {}

        /** 403: a user whose role may not do this. */
        record Forbidden(Login user, String message) implements Verdict {}
    }

    /** Kafka Connect's internal request signature (org.apache.kafka.connect.runtime.rest.InternalRequestSignature). */
    static final String SIGNATURE_HEADER = "X-Connect-Authorization";

    /** A connector's name is one raw path segment: an encoded slash stays inside it. */
    private static final Pattern TASK_CONFIGS = Pattern.compile("/connectors/[^/]+/tasks/?");
    private static final Pattern FENCE = Pattern.compile("/connectors/[^/]+/fence/?");

    private final Map<String, Login> users;
    private final LoginCache cache;

    Gate(Map<String, Login> users, LoginCache cache) {
        this.users = Map.copyOf(users);
        this.cache = cache;
    }

    /** How many users of each role, for the start's log line (no names). */
    String users() {
        long admins = users.values().stream().filter(u -> u.role() == Role.ADMIN).count();
        return users.size() + " users (" + admins + " admin, " + (users.size() - admins) + " client)";
    }

    /**
     * @param rawPath the request's path as sent (not decoded)
     * @param authorization the {@code Authorization} header, or null
     * @param signed whether the request carries Kafka's internal request signature header
     */
    Verdict check(String method, String rawPath, String authorization, boolean signed) {
        String path = rawPath.isEmpty() ? "/" : rawPath;
        if (method.equals("GET") && (path.equals("/health") || path.equals("/health/"))) {
            return new Verdict.Pass(null);
        }
        if (signed && internal(method, path)) {
            return new Verdict.Pass(null);
        }
        boolean read = method.equals("GET") || method.equals("HEAD");
        if (authorization == null || authorization.isBlank()) {
            return new Verdict.Unauthenticated("this Connect worker needs a login (HTTP Basic) of a user of the cluster's users file: "
                    + "the client role reads, the admin role changes connectors");
        }
        Login user = authenticate(authorization);
        if (user == null) {
            return new Verdict.Unauthenticated("unknown user or wrong password");
        }
        if (read || user.role() == Role.ADMIN) {
            return new Verdict.Pass(user);
        }
        return new Verdict.Forbidden(user, "user " + user.name() + " has the " + user.role() + " role, which may only read (GET); "
                + method + " " + path + " needs the admin role");
    }

    /** One of the requests a worker sends another worker of its group, which the worker verifies by its signature. */
    static boolean internal(String method, String rawPath) {
        return method.equals("POST") && TASK_CONFIGS.matcher(rawPath).matches()
                || method.equals("PUT") && FENCE.matcher(rawPath).matches();
    }

    /** The user whose login {@code authorization} is, or null. */
    private Login authenticate(String authorization) {
        String[] credentials = BasicAuth.credentials(authorization);
        if (credentials == null) {
            return null;
        }
        String password = credentials[1];
        Login user = users.get(credentials[0]);
        return cache.check(user, password) ? user : null;
    }
}
